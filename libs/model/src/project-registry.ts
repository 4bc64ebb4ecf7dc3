import { NbprError } from './errors';
import type { PluginOptions } from './plugin-options';

const REGISTRY = /^[A-Za-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._/-]+)?$/;

/**
 * The project's own registry (host/namespace): NBPR_REGISTRY when set, so that CI can name
 * the registry of the repository it runs for (e.g. the owner's GHCR namespace), else nx.json's
 * `registry`. Undefined when neither names one.
 */
export function projectRegistry(options: PluginOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.NBPR_REGISTRY?.trim();
  if (!fromEnv) return options.registry;
  if (!REGISTRY.test(fromEnv)) {
    throw new NbprError(`NBPR_REGISTRY '${fromEnv.replace(/\/\/[^@/]*@/, '//')}' is not <host>[:port][/namespace]`, {
      code: 'oci/invalid-registry',
      where: 'NBPR_REGISTRY',
      hint: 'Name the registry and namespace without a scheme, in lower case, e.g. ghcr.io/my-org.',
    });
  }
  return fromEnv;
}

/** The project's registry, or an error saying where to set one. */
export function requireProjectRegistry(options: PluginOptions, env: NodeJS.ProcessEnv = process.env): string {
  const registry = projectRegistry(options, env);
  if (!registry) {
    throw new NbprError('no registry to publish to', {
      code: 'nx-json/no-registry',
      where: 'nx.json plugins -> @nbpr/nx-plugin -> options.registry',
      hint: 'Set registry to <host>/<namespace> there (e.g. ghcr.io/<owner>), or NBPR_REGISTRY in the environment.',
    });
  }
  return registry;
}
