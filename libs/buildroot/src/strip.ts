import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { NbprError } from '@nbpr/model';

export interface StripSettings {
  enabled: boolean;
  excludeFiles: string[];
  excludeDirs: string[];
  /** The toolchain's strip, e.g. <out>/host/bin/aarch64-nerves-linux-gnu-strip. */
  strip: string;
}

/** BR2_STRIP_strip, BR2_STRIP_EXCLUDE_FILES and BR2_STRIP_EXCLUDE_DIRS, as target-finalize reads them. */
export function stripSettings(config: Map<string, string>, hostDir: string, tuple: string): StripSettings {
  const words = (symbol: string) => (config.get(symbol) ?? '').replace(/^"|"$/g, '').split(/\s+/).filter(Boolean);
  return {
    enabled: config.get('BR2_STRIP_strip') === 'y',
    excludeFiles: words('BR2_STRIP_EXCLUDE_FILES'),
    excludeDirs: words('BR2_STRIP_EXCLUDE_DIRS').map((d) => d.replace(/^\//, '')),
    strip: join(hostDir, 'bin', `${tuple}-strip`),
  };
}

/**
 * Strips ELF files as Buildroot's target-finalize does: shared libraries with
 * --strip-unneeded, everything else without .comment and .note sections; kernel modules
 * and excluded files or directories are left alone.
 */
export async function stripTree(root: string, paths: string[], settings: StripSettings): Promise<number> {
  if (!settings.enabled) return 0;
  let stripped = 0;
  for (const path of paths) {
    const name = path.split('/').pop()!;
    if (path.endsWith('.ko') || settings.excludeFiles.includes(name) || settings.excludeDirs.some((d) => path === d || path.startsWith(`${d}/`))) continue;
    const file = join(root, path);
    if (!(await isElf(file))) continue;
    const args = /\.so(\.|$)/.test(name) ? ['--strip-unneeded'] : ['--remove-section=.comment', '--remove-section=.note'];
    const result = await execa(settings.strip, [...args, file], { reject: false });
    if (result.exitCode !== 0) throw new NbprError(`strip failed on ${path}: ${result.stderr}`, { where: settings.strip });
    stripped++;
  }
  return stripped;
}

async function isElf(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32BE(0) === 0x7f454c46;
  } finally {
    await handle.close();
  }
}
