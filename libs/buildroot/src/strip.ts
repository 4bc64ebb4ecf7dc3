import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { NbprError } from '@nbpr/model';

export interface StripSettings {
  enabled: boolean;
  excludeFiles: string[];
  excludeDirs: string[];
  /** Buildroot's STRIPCMD for the package, as make expands it: `<TARGET_CROSS>strip --remove-section=.comment --remove-section=.note`. */
  command: string[];
}

/** BR2_STRIP_strip, BR2_STRIP_EXCLUDE_FILES and BR2_STRIP_EXCLUDE_DIRS as target-finalize reads them, with the STRIPCMD Buildroot gave. */
export function stripSettings(config: Map<string, string>, stripCommand: string): StripSettings {
  const words = (symbol: string) => (config.get(symbol) ?? '').replace(/^"|"$/g, '').split(/\s+/).filter(Boolean);
  return {
    enabled: config.get('BR2_STRIP_strip') === 'y',
    excludeFiles: words('BR2_STRIP_EXCLUDE_FILES'),
    excludeDirs: words('BR2_STRIP_EXCLUDE_DIRS').map((d) => d.replace(/^\//, '')),
    command: stripCommand.split(/\s+/).filter(Boolean),
  };
}

/**
 * Strips as Buildroot's target-finalize does (STRIP_FIND_CMD and STRIP_FIND_SPECIAL_LIBS_CMD):
 * every executable or `*.so*` file with STRIPCMD, except libpthread, ld.so and kernel modules;
 * libpthread and ld.so with STRIPCMD --strip-debug only. Excluded files and directories are left
 * alone. Buildroot runs strip on non-ELF executables too and ignores the failure; NBPR passes
 * ELF files only, so a failure is a real one.
 */
export async function stripTree(root: string, files: { path: string; mode: number }[], settings: StripSettings): Promise<number> {
  if (!settings.enabled) return 0;
  const [strip, ...args] = settings.command;
  let stripped = 0;
  for (const { path, mode } of files) {
    const name = path.split('/').pop()!;
    if (settings.excludeFiles.includes(name) || settings.excludeDirs.some((d) => path === d || path.startsWith(`${d}/`))) continue;
    const special = /^(ld-.*\.so.*|libpthread.*\.so.*)$/.test(name);
    const regular = (mode & 0o111 || /\.so/.test(name)) && !special && !name.endsWith('.ko');
    if (!special && !regular) continue;
    const file = join(root, path);
    if (!(await isElf(file))) continue;
    const result = await execa(strip, [...args, ...(special ? ['--strip-debug'] : []), file], { reject: false });
    if (result.exitCode !== 0) {
      const why = result.stderr.trim() || result.shortMessage || `exit ${result.exitCode}`;
      throw new NbprError(`strip failed on ${path}: ${why}`, { code: 'buildroot/strip-failed', where: strip, hint: "This is the toolchain's strip as Buildroot names it (STRIPCMD); see the build log for the toolchain step." });
    }
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
