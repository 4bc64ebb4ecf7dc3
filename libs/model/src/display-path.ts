import { relative } from 'node:path';

/** A path as shown to the user: relative to the working directory when inside it, else as given. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}
