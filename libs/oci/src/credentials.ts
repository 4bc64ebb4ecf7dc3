export interface Credentials {
  username: string;
  password: string;
}

/**
 * Registry credentials from the environment: NBPR_REGISTRY_USERNAME / NBPR_REGISTRY_TOKEN,
 * else GITHUB_TOKEN for ghcr.io (GitHub Actions' own token; any username works with it).
 */
export function credentialsFor(registryHost: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  if (env.NBPR_REGISTRY_TOKEN) return { username: env.NBPR_REGISTRY_USERNAME || 'nbpr', password: env.NBPR_REGISTRY_TOKEN };
  if (registryHost === 'ghcr.io' && env.GITHUB_TOKEN) return { username: env.GITHUB_ACTOR || 'github-actions', password: env.GITHUB_TOKEN };
  return undefined;
}

export function basicAuthorization(credentials: Credentials): string {
  return 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
}
