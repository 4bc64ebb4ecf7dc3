import { createHash } from 'node:crypto';
import { canonicalJson } from '@nbpr/key';
import type { Catalogue, FirmwareProfile } from '@nbpr/model';
// The one resolve module it needs, not the whole lib: Nx loads the plugin on every run.
import { keyInputFields } from '@nbpr/resolve/src/key-input-fields';

/**
 * Nx hashes a target's options but not its project's metadata, so each target carries a
 * digest of exactly the nbpr.json fields that enter the cache key (for the package and its
 * dependency closure). Descriptions, READMEs and daemons stay out: editing them is a hit.
 */
export function packageKeyInputs(catalogue: Catalogue, name: string): string {
  const closure = [name, ...catalogue.dependencyClosure(name)];
  return digest(closure.map((pkg) => keyInputFields(catalogue.get(pkg))));
}

export function firmwareKeyInputs(catalogue: Catalogue, firmware: FirmwareProfile): string {
  const names = new Set<string>();
  for (const name of Object.keys(firmware.metadata.packages)) {
    if (!catalogue.has(name)) continue;
    names.add(name);
    for (const dep of catalogue.dependencyClosure(name)) names.add(dep);
  }
  return digest({
    system: firmware.metadata.system,
    packages: firmware.metadata.packages,
    closure: [...names].sort().map((pkg) => keyInputFields(catalogue.get(pkg))),
  });
}

function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
