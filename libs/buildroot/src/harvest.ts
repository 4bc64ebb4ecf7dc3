import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { NbprError } from '@nbpr/model';

/** What target-finalize removes from a target filesystem, and NBPR does not ship either. */
const DROPPED = [/^usr\/include\//, /\.la$/, /^usr\/(lib|share)\/pkgconfig\//, /^usr\/share\/(doc|man|info|gtk-doc)\//, /^usr\/lib\/cmake\//];

export function isDropped(path: string): boolean {
  return DROPPED.some((re) => re.test(path));
}

/** Paths a package installed, from Buildroot's `.files-list.txt` (`pkg,./path` lines). */
export function filesList(file: string, pkg: string): string[] {
  if (!existsSync(file)) throw new NbprError(`Buildroot left no files list for ${pkg}`, { where: file, hint: 'The package installed nothing, or the build did not run: see the build log.' });
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
export async function harvest(paths: string[], from: string, to: string, keepDevelopment = false): Promise<string[]> {
  const kept: string[] = [];
  for (const path of [...new Set(paths)].sort()) {
    if (!keepDevelopment && isDropped(path)) continue;
    const source = join(from, path);
    const target = join(to, path);
    const stat = await lstat(source).catch(() => undefined);
    if (!stat) continue;
    await mkdir(dirname(target), { recursive: true });
    if (stat.isSymbolicLink()) {
      await symlink(relativeLink(path, await readlink(source), from), target);
    } else if (stat.isFile()) {
      await copyFile(source, target);
      await chmod(target, stat.mode & 0o111 ? 0o755 : 0o644);
    }
    kept.push(path);
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
