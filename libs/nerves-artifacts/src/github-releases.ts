import fetch from 'node-fetch';

/** Where GitHub is: its web (release downloads) and API origins; NBPR_GITHUB_URL and NBPR_GITHUB_API_URL stand in (a mirror, GitHub Enterprise, a test server). */
export function githubOrigins(env: NodeJS.ProcessEnv = process.env): { web: string; api: string } {
  const trim = (url: string) => url.replace(/\/+$/, '');
  return { web: trim(env.NBPR_GITHUB_URL || 'https://github.com'), api: trim(env.NBPR_GITHUB_API_URL || 'https://api.github.com') };
}

/** A release asset's download URL, as Nerves' :github_releases site builds it. */
export function releaseDownloadUrl(repo: string, tag: string, file: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${githubOrigins(env).web}/${repo}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(file)}`;
}

/** The release page a person can look at. */
export function releasePageUrl(repo: string, tag: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${githubOrigins(env).web}/${repo}/releases/tag/${encodeURIComponent(tag)}`;
}

/** Where a github.com URL (a system's toolchain URL, say) is fetched from: the stand-in origin when one is set. */
export function throughGithubOrigin(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const web = githubOrigins(env).web;
  return url.startsWith('https://github.com/') && web !== 'https://github.com' ? web + url.slice('https://github.com'.length) : url;
}

export interface ReleaseAsset {
  name: string;
  /** "sha256:<hex>", which GitHub computes for every asset it stores. */
  digest?: string;
}

/**
 * The assets of one release (GET /repos/{repo}/releases/tags/{tag}). GITHUB_TOKEN (or GH_TOKEN)
 * is sent to the API origin only, for its higher rate limit. Fails with a plain Error saying
 * what went wrong; callers turn it into advice.
 */
export async function releaseAssets(repo: string, tag: string, env: NodeJS.ProcessEnv = process.env): Promise<ReleaseAsset[]> {
  const url = `${githubOrigins(env).api}/repos/${repo}/releases/tags/${encodeURIComponent(tag)}`;
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  const response = await fetch(url, {
    headers: { Accept: 'application/vnd.github+json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    signal: AbortSignal.timeout(30_000) as never,
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const body = (await response.json()) as { assets?: Array<{ name?: unknown; digest?: unknown }> };
  return (body.assets ?? [])
    .filter((a): a is { name: string; digest?: unknown } => typeof a.name === 'string')
    .map((a) => ({ name: a.name, digest: typeof a.digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(a.digest) ? a.digest : undefined }));
}
