import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { NbprError } from '@nbpr/model';

/** What Buildroot 2026.05.1's target-finalize removes from a target filesystem, and NBPR does not ship either. */
const DROPPED = [
  /^usr\/(include|share\/aclocal|lib\/pkgconfig|share\/pkgconfig|lib\/cmake|share\/cmake|lib\/rpm|doc)\//,
  /^usr\/(lib|share)\/.*\.cmake$/,
  /^(lib|usr\/lib|usr\/libexec)\/(.*\/)?[^/]*\.(a|la|prl)$/,
  /^usr\/(man|share\/man|info|share\/info|doc|share\/doc|share\/gtk-doc)\//,
];
/** Removed unless the configuration has the package they belong to. */
const DROPPED_UNLESS: [RegExp, string][] = [
  [/^usr\/share\/gdb\//, 'BR2_PACKAGE_GDB'],
  [/^(usr\/share\/bash-completion|etc\/bash_completion\.d)\//, 'BR2_PACKAGE_BASH'],
  [/^usr\/share\/zsh\//, 'BR2_PACKAGE_ZSH'],
];

export function isDropped(path: string, config: Map<string, string> = new Map()): boolean {
  if (DROPPED.some((re) => re.test(path))) return true;
  if (DROPPED_UNLESS.some(([re, symbol]) => re.test(path) && config.get(symbol) !== 'y')) return true;
  // lib/debug stays only for a debug build that is not stripped.
  return /^(usr\/)?lib\/debug\//.test(path) && !(config.get('BR2_ENABLE_DEBUG') === 'y' && config.get('BR2_STRIP_strip') !== 'y');
}

/** Paths a package installed, from Buildroot's `.files-list.txt` (`pkg,./path` lines). */
export function filesList(file: string, pkg: string): string[] {
  if (!existsSync(file)) throw new NbprError(`Buildroot left no files list for ${pkg}`, { code: 'buildroot/no-files-list', where: file, hint: 'The package installed nothing, or the build did not run: see the build log.' });
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(line.indexOf(',') + 1).replace(/^\.\//, ''));
}

/**
 * Copies a package's own files (not its dependencies', which per-package directories mix in)
 * from `from` to `to`, dropping headers, libtool archives, pkg-config files and docs unless
 * `keepDevelopment` (staging for exposeStaging). Absolute symlinks into the tree become
 * relative, so that they work under priv/ on the device.
 */
export async function harvest(paths: string[], from: string, to: string, pkg: string, keepDevelopment = false, config: Map<string, string> = new Map()): Promise<{ path: string; mode: number }[]> {
  const kept: { path: string; mode: number }[] = [];
  const missing: string[] = [];
  for (const path of [...new Set(paths)].sort()) {
    if (!keepDevelopment && isDropped(path, config)) continue;
    const source = join(from, path);
    const target = join(to, path);
    const stat = await lstat(source).catch(() => undefined);
    if (!stat) {
      missing.push(path);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    if (stat.isSymbolicLink()) {
      await symlink(relativeLink(path, await readlink(source), from), target);
    } else if (stat.isFile()) {
      await copyFile(source, target);
      await chmod(target, stat.mode & 0o111 ? 0o755 : 0o644);
      kept.push({ path, mode: stat.mode });
    }
  }
  if (missing.length) {
    throw new NbprError(`${missing.length} file${missing.length === 1 ? '' : 's'} that Buildroot lists as installed by ${pkg} ${missing.length === 1 ? 'is' : 'are'} not in ${from}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`, {
      code: 'buildroot/missing-installed-files',
      where: from,
      hint: 'The files list and the directory it was read against disagree: an NBPR bug, or the package deleted its own files after installing them; see the build log.',
    });
  }
  return kept;
}

/** A link target made relative: `/usr/lib/x` or `<tree>/usr/lib/x` from `usr/lib/y` -> `x`. */
export function relativeLink(path: string, target: string, tree: string): string {
  let absolute: string | undefined;
  if (target.startsWith(tree + '/')) absolute = target.slice(tree.length + 1);
  else if (target.startsWith('/')) absolute = target.slice(1);
  if (absolute === undefined) return target;
  return relative(posix.dirname(path), absolute) || '.';
}
