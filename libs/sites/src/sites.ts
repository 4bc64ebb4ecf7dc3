import { isAbsolute, join } from 'node:path';
import { LayoutRepository, RegistryRepository, type ArtefactRepository, type RegistryOptions } from '@nbpr/oci';
import { projectRegistry, type PluginOptions } from '@nbpr/model';

/** A place artefacts are looked for, in order; each package is one repository in it. */
export interface Site {
  /** For messages: registry/namespace or the layout directory, without credentials. */
  name: string;
  kind: 'registry' | 'layout';
  repository(pkg: string): ArtefactRepository;
  /** The name a signature gives a package's repository: registry/namespace/package, or the package for a layout (wherever it is copied to). */
  identity(pkg: string): string;
}

export const LAYOUT_PREFIX = 'oci-layout:';

/**
 * The sites of a workspace, in the order they are tried: the project's own registry, the
 * package's own `sites` (nbpr.json), then the `sites` of nx.json (registries as host[/namespace], or `oci-layout:<dir>` image-layout
 * directories, one sub-directory per package).
 */
export function workspaceSites(options: PluginOptions, workspaceRoot: string, registryOptions: RegistryOptions = {}, packageSites: string[] = []): Site[] {
  const registry = projectRegistry(options);
  const specs = [...(registry ? [registry] : []), ...packageSites, ...(options.sites ?? [])];
  return [...new Set(specs)].map((spec) => siteFor(spec, workspaceRoot, registryOptions));
}

export function siteFor(spec: string, workspaceRoot: string, registryOptions: RegistryOptions = {}): Site {
  if (spec.startsWith(LAYOUT_PREFIX)) {
    const path = spec.slice(LAYOUT_PREFIX.length);
    const dir = isAbsolute(path) ? path : join(workspaceRoot, path);
    return { name: path, kind: 'layout', repository: (pkg) => new LayoutRepository(join(dir, pkg)), identity: (pkg) => pkg };
  }
  const [host, ...namespace] = spec.replace(/^https?:\/\//, '').split('/');
  return {
    name: spec,
    kind: 'registry',
    repository: (pkg) => new RegistryRepository(host, [...namespace, pkg].join('/'), { insecure: spec.startsWith('http://') || undefined, ...registryOptions }),
    identity: (pkg) => [host, ...namespace, pkg].join('/'),
  };
}
