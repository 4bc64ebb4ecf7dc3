import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readElfDynamic } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import type { StagedPackage } from './staged-package';

export interface CheckInput {
  packages: StagedPackage[];
  system: { id: string; rootfsFiles: Set<string>; rootfsSource: string; sonames: Set<string> };
}

/**
 * Everything that would make a staged firmware wrong, found before anything is written: two
 * packages installing one path, a package path the system's rootfs already has, a soname
 * provided twice, an ELF file needing a library nothing provides. All reported at once.
 */
export async function checkBeforeStaging(input: CheckInput): Promise<void> {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const provided = new Map<string, string>();
  const elves: Array<{ pkg: string; path: string; needed: string[] }> = [];
  for (const pkg of input.packages) {
    const target = join(pkg.tree, 'target');
    for (const path of files(target)) {
      const other = owners.get(path);
      if (other) problems.push(`${path} is installed by both ${other} and ${pkg.name}`);
      owners.set(path, pkg.name);
      if (input.system.rootfsFiles.has(path)) problems.push(`${pkg.name} installs ${path}, which the system's root filesystem already has (${input.system.rootfsSource})`);
      if (lstatSync(join(target, path)).isSymbolicLink()) continue;
      const elf = await readElfDynamic(join(target, path));
      if (!elf) continue;
      if (elf.soname) {
        const first = provided.get(elf.soname);
        if (first && first !== `${pkg.name}:${path}`) problems.push(`soname ${elf.soname} is provided twice: by ${first} and ${pkg.name}:${path}`);
        provided.set(elf.soname, `${pkg.name}:${path}`);
      }
      elves.push({ pkg: pkg.name, path, needed: elf.needed });
    }
  }
  const libraryNames = new Set([...owners.keys()].map((p) => p.split('/').pop()!));
  for (const elf of elves) {
    for (const lib of elf.needed) {
      if (!input.system.sonames.has(lib) && !provided.has(lib) && !libraryNames.has(lib)) {
        problems.push(`${elf.pkg}:${elf.path} needs ${lib}, which neither ${input.system.id} nor the firmware's packages provide`);
      }
    }
  }
  if (problems.length > 0) {
    throw new NbprError(`stage refused to write anything:\n  ${problems.join('\n  ')}`, { code: 'stage/refused', hint: 'Leave one of the colliding packages out of the firmware, or add the package that provides the missing library.' });
  }
}

function files(root: string, dir = root, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (lstatSync(path).isDirectory()) files(root, path, out);
    else out.push(relative(root, path));
  }
  return out.sort();
}
