import type { Dirent } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { NbprError } from '@nbpr/model';

/** One entry of a tree to pack. Files get their size and mode when opened, not here. */
export interface TreeEntry {
  /** Relative path with '/' separators, as it goes into the tar. */
  path: string;
  absolute: string;
  type: 'file' | 'directory' | 'symlink';
  /** Symlink target, as stored. */
  target?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every entry under `roots` of `dir` (the roots themselves included), sorted bytewise by
 * path: the order of the tar, independent of the order the filesystem lists directories in.
 * Sockets, FIFOs and device files are refused; hard links are regular files here like any
 * other, so they are packed as copies.
 */
export async function walkTree(dir: string, roots: readonly string[]): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const visit = async (path: string, kind: Kind): Promise<void> => {
    const absolute = join(dir, path);
    if (kind === 'directory') {
      entries.push({ path, absolute, type: 'directory' });
      const children = (await readdir(absolute, { withFileTypes: true, encoding: 'buffer' })) as unknown as Dirent<Buffer>[];
      await Promise.all(
        children.map(async (child) => {
          const name = nameOf(child.name, absolute);
          await visit(`${path}/${name}`, await kindOf(child, join(absolute, name)));
        }),
      );
    } else if (kind === 'symlink') {
      entries.push({ path, absolute, type: 'symlink', target: nameOf(await readlink(absolute, { encoding: 'buffer' }), absolute) });
    } else if (kind === 'file') {
      entries.push({ path, absolute, type: 'file' });
    } else {
      throw new NbprError(`an artefact cannot hold ${kind}s`, { code: 'artefact/special-file', where: absolute, hint: 'Remove it from the tree: sockets, FIFOs and device nodes belong to the running system, not to a package.' });
    }
  };
  for (const root of roots) {
    const absolute = join(dir, root);
    const stat = await lstat(absolute).catch(() => undefined);
    if (!stat) continue;
    if (!stat.isDirectory()) throw new NbprError(`${root} must be a directory`, { code: 'artefact/not-a-directory', where: absolute });
    await visit(root, 'directory');
  }
  // Bytewise, as the key's tree hash sorts: locale-free, and the same on every host.
  const keyed = entries.map((e) => [Buffer.from(e.path, 'utf8'), e] as const);
  keyed.sort((a, b) => Buffer.compare(a[0], b[0]));
  return keyed.map(([, e]) => e);
}

type Kind = 'file' | 'directory' | 'symlink' | 'socket' | 'FIFO' | 'device file';

interface TypeTests {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isSocket(): boolean;
  isFIFO(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}

async function kindOf(entry: Dirent<Buffer>, absolute: string): Promise<Kind> {
  const of = (s: TypeTests): Kind | undefined =>
    s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'symlink' : s.isSocket() ? 'socket' : s.isFIFO() ? 'FIFO' : s.isBlockDevice() || s.isCharacterDevice() ? 'device file' : undefined;
  // Some filesystems do not report types in directory listings; lstat them.
  return of(entry) ?? of(await lstat(absolute)) ?? 'device file';
}

/** Names go into the tar as UTF-8: a name that is not valid UTF-8 would be mangled on the way. */
function nameOf(raw: Buffer, where: string): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new NbprError(`a name that is not valid UTF-8 (${JSON.stringify(raw.toString('latin1'))})`, { code: 'artefact/non-utf8-name', where, hint: 'Rename it: artefact paths and link targets are UTF-8.' });
  }
}
