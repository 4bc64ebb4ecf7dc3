import { posix } from 'node:path';
import { ARTEFACT_ROOTS } from './format';

/**
 * Why `path` may not name an entry of an artefact, or undefined when it may. Only canonical
 * relative paths under the artefact's roots pass: no leading '/', no '..', no empty or '.'
 * segment. Canonical-only means one entry has one spelling, so "target/./x" can never dodge a
 * check made on "target/x".
 */
export function unsafePathReason(path: string, roots: readonly string[] = ARTEFACT_ROOTS): string | undefined {
  if (path === '') return 'empty path';
  if (path.startsWith('/')) return 'absolute path';
  const segments = path.split('/');
  if (segments.includes('..')) return "path through '..'";
  if (segments.some((s) => s === '' || s === '.')) return "not a canonical path (empty or '.' segment)";
  if (!roots.includes(segments[0])) return `outside the artefact roots (${roots.join(', ')})`;
  return undefined;
}

/**
 * Why a symlink at `path` pointing to `target` escapes the tree on its own, or undefined. This
 * is lexical: a target through other symlinks can still escape, which `symlinkEscape` (over
 * the whole tree) catches.
 */
export function escapingLinkReason(path: string, target: string): string | undefined {
  if (target === '') return 'empty link target';
  if (target.startsWith('/')) return `absolute link target ${target}`;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === '..' || resolved.startsWith('../')) return `link target ${target} escapes the tree`;
  return undefined;
}
