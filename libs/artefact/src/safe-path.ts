import { posix } from 'node:path';

/**
 * Why an archive path may not be extracted, or undefined when it may: nothing absolute,
 * nothing through '..', nothing outside the artefact's own roots.
 */
export function unsafePathReason(path: string, roots: readonly string[]): string | undefined {
  if (path.startsWith('/')) return 'absolute path';
  if (path.split('/').includes('..')) return "path through '..'";
  const clean = posix.normalize(path).replace(/\/$/, '');
  if (clean === '.' || clean === '') return 'empty path';
  const top = clean.split('/')[0];
  if (!roots.includes(top)) return `outside the artefact roots (${roots.join(', ')})`;
  return undefined;
}

/** Why a symlink at `path` pointing to `target` would escape the tree, or undefined. */
export function escapingLinkReason(path: string, target: string): string | undefined {
  if (target.startsWith('/')) return `absolute link target ${target}`;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === '..' || resolved.startsWith('../')) return `link target ${target} escapes the tree`;
  return undefined;
}
