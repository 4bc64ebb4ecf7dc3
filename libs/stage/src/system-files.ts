import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { NbprError, type NervesSystem } from '@nbpr/model';

/**
 * The paths the system's root filesystem holds: from its rootfs image (`unsquashfs -l`) when
 * the artefact has one, else from its staging directory, which is all an artefact without
 * images tells.
 */
export async function systemRootfsFiles(system: NervesSystem): Promise<{ files: Set<string>; source: string }> {
  const image = system.imagesDir ? join(system.imagesDir, 'rootfs.squashfs') : undefined;
  if (image && existsSync(image)) {
    const result = await execa('unsquashfs', ['-lc', image], { reject: false });
    if (result.exitCode !== 0) throw new NbprError(`cannot list the system's root filesystem: ${result.stderr}`, { code: 'stage/cannot-list-rootfs', where: image, hint: 'Install squashfs-tools (scripts/setup.sh does).' });
    const files = result.stdout
      .split('\n')
      .map((l) => l.replace(/^squashfs-root\/?/, ''))
      .filter(Boolean);
    return { files: new Set(files), source: image };
  }
  return { files: new Set(walk(system.stagingDir)), source: system.stagingDir };
}

/** Sonames the system offers at run time: the shared objects in its staging lib directories. */
export function systemSonames(system: NervesSystem): Set<string> {
  const names = new Set<string>();
  for (const dir of ['lib', 'lib64', 'usr/lib', 'usr/lib64']) {
    const path = join(system.stagingDir, dir);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path)) if (/\.so(\.|$)/.test(name)) names.add(name);
  }
  return names;
}

function walk(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) walk(root, path, out);
    else out.push(relative(root, path));
  }
  return out;
}
