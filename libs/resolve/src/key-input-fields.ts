import { treeModeFacts } from '@nbpr/key';
import type { PackageManifest } from '@nbpr/model';

/**
 * The nbpr.json fields resolvePackage turns into a package's key document, for tools that must
 * notice any change of them without resolving (Nx hashes these as target options). Kept next to
 * resolvePackage: a field read there and missing here would give stale cache hits. Descriptions
 * stay out (editing them keeps the key); `targets` is in because it decides skipped or resolved.
 * The external tree's content is hashed by Nx itself; its exec bits and symlinks are not, so
 * their facts are added.
 */
export function keyInputFields(manifest: PackageManifest) {
  const m = manifest.metadata;
  const options = Object.fromEntries(Object.entries(m.options ?? {}).map(([name, { description: _, ...rest }]) => [name, rest]));
  const treeModes = manifest.externalTree ? treeModeFacts(manifest.externalTree) : [];
  return {
    name: m.name,
    version: m.version,
    buildroot: m.buildroot,
    kconfig: m.kconfig ?? {},
    options,
    exposeStaging: m.exposeStaging ?? false,
    dependencies: m.dependencies ?? {},
    targets: m.targets,
    treeModes,
  };
}
