import { lstatSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { displayPath } from './display-path';

/** A failed file system call in words a user can act on: what went wrong, and what to do. */
export interface FsFailure {
  what: string;
  hint: string;
}

/** The errno code of a failed file system call; undefined for any other error, which is a bug to let through. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * Why `path` (a file to write, or a directory to create) could not be made. The errno alone
 * does not help: mkdir reports the directory it wanted, not the file that stopped it, so the
 * entry in the way is looked for on disk and named.
 */
export function writeFailure(path: string, error: unknown, want: 'file' | 'directory' = 'file'): FsFailure | undefined {
  const code = errnoCode(error);
  if (!code) return undefined;
  const blocker = inTheWay(path, want);
  if (blocker) {
    const shown = displayPath(blocker.path);
    const role = blocker.path === path ? `where the ${want} must be` : 'where a directory must be';
    return { what: `${shown} is ${blocker.kind} ${role}`, hint: `Remove or rename ${shown}, then run again.` };
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    const dir = displayPath(nearestExisting(path));
    return { what: `${code === 'EROFS' ? 'read-only file system' : 'permission denied'} (${code})`, hint: `Give this user write access to ${dir}, or write elsewhere.` };
  }
  return { what: `cannot write (${code})`, hint: 'Fix what the system reports (space, quota, name length) and run again.' };
}

/** Why a file could not be read, as a message of its own (callers name the file in `where`). */
export function readFailure(error: unknown): FsFailure | undefined {
  const code = errnoCode(error);
  if (!code) return undefined;
  if (code === 'ENOENT') return { what: 'file not found', hint: 'Check the path.' };
  if (code === 'EISDIR') return { what: 'not a file: it is a directory', hint: 'Give the path of a file, not of a directory.' };
  if (code === 'EACCES' || code === 'EPERM') return { what: `cannot read the file: permission denied (${code})`, hint: 'Give this user read access to the file.' };
  return { what: `cannot read the file (${code})`, hint: 'Check that it is a regular file this user can read.' };
}

/**
 * The entry that stops `path` from being made: the path itself when it is the wrong kind,
 * else the nearest existing ancestor when that is no directory (above an existing directory,
 * everything is one).
 */
function inTheWay(path: string, want: 'file' | 'directory'): { path: string; kind: string } | undefined {
  // A file is renamed over whatever is there, a symlink included, unless it is a directory.
  const itself = want === 'file' ? lstatOrUndefined(path) : statOrLink(path);
  if (itself && (want === 'file' ? itself.isDirectory() : !itself.isDirectory())) return { path, kind: kindOf(itself) };
  for (let p = dirname(path); ; p = dirname(p)) {
    const s = statOrLink(p);
    if (s) return s.isDirectory() ? undefined : { path: p, kind: kindOf(s) };
    if (dirname(p) === p) return undefined;
  }
}

function nearestExisting(path: string): string {
  let p = path;
  while (!statOrLink(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** What the path leads to, or the link itself when it leads nowhere (a dangling symlink is in the way too). */
function statOrLink(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return lstatOrUndefined(path);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function kindOf(s: Stats): string {
  if (s.isFile()) return 'a file';
  if (s.isDirectory()) return 'a directory';
  if (s.isSymbolicLink()) return 'a dangling symlink';
  return 'a special file';
}
