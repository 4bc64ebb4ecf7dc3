import { NbprError } from '@nbpr/model';
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, type Dirent } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { isVcsEntry } from './vcs-files';

export interface TreeEntry {
  /** Relative path with '/' separators. */
  path: string;
  /** '755' (any execute bit), '644', or '120000' for a symlink. */
  mode: '755' | '644' | '120000';
  /** sha256 hex of the content (of the link target string for a symlink). */
  sha256: string;
}

/**
 * The external-tree hash of the cache key. Format (part of the key algorithm: changing it
 * needs KEY_SCHEMA_VERSION bumped):
 *
 *   'sha256:' + hex sha256 over the concatenation, for each entry, of
 *       <mode> ' ' <sha256 hex of content> ' ' <path> '\0'
 *
 * - entries are regular files and symlinks; directories only contribute through the paths
 *   of what they hold, so an empty directory does not count;
 * - <path> is relative to the tree, '/'-separated, UTF-8; entries are sorted bytewise on it;
 * - <mode> is '755' if any execute bit is set, else '644' (git's view: umask and owners do
 *   not change a key), or '120000' for a symlink, whose content is its target, not followed;
 * - VCS metadata (.git, .hg, .svn, .bzr, CVS directories; .gitignore, .gitattributes,
 *   .gitmodules, .hgignore files) is skipped at any depth; mtimes never count.
 * Mode and digest have fixed alphabets and the path ends at NUL, so the stream parses one way.
 */
export async function hashTree(dir: string): Promise<string> {
  const entries = await treeEntries(dir);
  const hash = createHash('sha256');
  // Batched: one update per few thousand entries costs a fraction of one per entry.
  for (let i = 0; i < entries.length; i += 4096) {
    hash.update(entries.slice(i, i + 4096).map((e) => `${e.mode} ${e.sha256} ${e.path}\0`).join(''), 'utf8');
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * How files are read, from measurements (bench/tree-hash.bench.ts): a tree is hashed just
 * after a checkout or an edit, so its pages are cached and a small read costs a few
 * microseconds, while every asynchronous fs call adds a thread-pool round trip of about as
 * much (open, fstat, read, close: four per file). Parallel async reads of 10,000 small cached
 * files measured about 3x slower than plain synchronous ones, so small files are read
 * synchronously, in slices of a few milliseconds between which the event loop runs. Large
 * files, where a call's overhead is nothing next to the bytes, are streamed asynchronously,
 * a few at a time, each through two buffers so that reading overlaps hashing.
 */
const WHOLE_READ_LIMIT = 1 << 20;
const CHUNK = 1 << 20;
const PARALLEL_LARGE_FILES = 4;
const SLICE_MS = 8;
/** O_NOFOLLOW: a file swapped for a symlink mid-walk is an error, not followed; O_NONBLOCK: never hang on a FIFO. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

interface Found {
  /** Relative path, '/'-separated. */
  path: string;
  /** The path's UTF-8 bytes as a latin1 string: comparing these with < is comparing bytes. */
  sortKey: string;
  kind: 'file' | 'symlink';
}

/** The entries hashTree covers, in its order: what to diff when a key changes unexpectedly. */
export async function treeEntries(dir: string): Promise<TreeEntry[]> {
  const found: Found[] = [];
  await walk(dir, '', found);
  found.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));

  // Every result lands at its entry's index, so the output is in sort order whatever order
  // the reads complete in.
  const entries: TreeEntry[] = new Array(found.length);
  const large: number[] = [];
  const buffer = Buffer.allocUnsafe(WHOLE_READ_LIMIT);
  let sliceStart = performance.now();
  for (let i = 0; i < found.length; i++) {
    const { path, kind } = found[i];
    if (kind === 'symlink') {
      entries[i] = { path, mode: '120000', sha256: hashLink(`${dir}/${path}`) };
    } else {
      const small = hashSmallFile(`${dir}/${path}`, buffer);
      if (small) entries[i] = { path, mode: small.executable ? '755' : '644', sha256: small.sha256 };
      else large.push(i);
    }
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }

  let next = 0;
  const worker = async () => {
    const buffers: [Buffer, Buffer] = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    while (next < large.length) {
      const i = large[next++];
      const { path } = found[i];
      const { executable, sha256 } = await hashLargeFile(`${dir}/${path}`, buffers);
      entries[i] = { path, mode: executable ? '755' : '644', sha256 };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_LARGE_FILES, large.length) }, worker));
  return entries;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Lists the tree with readdir's file types: no stat per entry. */
async function walk(dir: string, prefix: string, out: Found[]): Promise<void> {
  const absolute = prefix ? `${dir}/${prefix}` : dir;
  let dirents: Dirent[];
  try {
    dirents = await readdir(absolute, { withFileTypes: true });
  } catch (error) {
    throw new NbprError(`cannot read the directory: ${describe(error)}`, { code: 'key/unreadable-directory', where: absolute, hint: 'A package tree must be readable by the user running NBPR.' });
  }
  if (dirents.some((d) => d.name.includes('\ufffd'))) await refuseNonUtf8Names(absolute);
  const subdirs: string[] = [];
  for (const dirent of dirents) {
    const path = prefix ? `${prefix}/${dirent.name}` : dirent.name;
    if (isVcsEntry(dirent.name, dirent.isDirectory())) continue;
    if (dirent.isDirectory()) subdirs.push(path);
    else if (dirent.isSymbolicLink() || dirent.isFile()) {
      const sortKey = NON_ASCII.test(path) ? Buffer.from(path, 'utf8').toString('latin1') : path;
      out.push({ path, sortKey, kind: dirent.isFile() ? 'file' : 'symlink' });
    } else {
      throw new NbprError(`a ${specialKind(dirent)} in a package tree`, { code: 'key/special-file', where: `${dir}/${path}`, hint: 'A package tree (buildroot/) may hold only files, directories and symlinks: remove it.' });
    }
  }
  // Only now, so that a refusal above never leaves sibling walks running unobserved.
  await Promise.all(subdirs.map((sub) => walk(dir, sub, out)));
}

/**
 * Node decodes a name that is not UTF-8 with U+FFFD for the bad bytes: hashed so, two
 * different names could collide and the file could not be opened again by that name. Such a
 * name is refused; a name holding a real U+FFFD is fine.
 */
async function refuseNonUtf8Names(absolute: string): Promise<void> {
  for (const name of await readdir(absolute, { encoding: 'buffer' })) {
    if (!isUtf8(name)) throw new NbprError('a file name that is not UTF-8 in a package tree', { code: 'key/non-utf8-name', where: `${absolute}/${name.toString('utf8')}`, hint: 'Tree paths are hashed as UTF-8: rename the file.' });
  }
}

function specialKind(dirent: Dirent): string {
  if (dirent.isFIFO()) return 'FIFO';
  if (dirent.isSocket()) return 'socket';
  if (dirent.isCharacterDevice()) return 'character device';
  if (dirent.isBlockDevice()) return 'block device';
  return 'special file';
}

/**
 * Reads and hashes a file whole if it is small, or returns null (having read nothing) if it
 * is large. Mode and content come from the same open file, so a concurrent chmod cannot pair
 * one state's mode with another state's content.
 */
function hashSmallFile(path: string, buffer: Buffer): { executable: boolean; sha256: string } | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, OPEN_FLAGS);
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('no longer a regular file');
    if (stat.size > buffer.length) return null;
    let filled = 0;
    while (filled < stat.size) {
      const bytesRead = readSync(fd, buffer, filled, stat.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { executable: (stat.mode & 0o111) !== 0, sha256: createHash('sha256').update(buffer.subarray(0, filled)).digest('hex') };
  } catch (error) {
    throw new Error(`tree hash: cannot read ${path}: ${describe(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function hashLargeFile(path: string, [first, second]: [Buffer, Buffer]): Promise<{ executable: boolean; sha256: string }> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, OPEN_FLAGS);
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error('no longer a regular file');
    const hash = createHash('sha256');
    // The next chunk is read on the thread pool while this one is hashed.
    let current = first;
    let spare = second;
    let position = 0;
    let pending = handle.read(current, 0, current.length, position);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      position += bytesRead;
      pending = handle.read(spare, 0, spare.length, position);
      hash.update(current.subarray(0, bytesRead));
      [current, spare] = [spare, current];
    }
    return { executable: (stat.mode & 0o111) !== 0, sha256: hash.digest('hex') };
  } catch (error) {
    throw new Error(`tree hash: cannot read ${path}: ${describe(error)}`);
  } finally {
    await handle?.close();
  }
}

/** The link's target bytes, exactly as stored: a link is hashed as what it says, never followed. */
function hashLink(path: string): string {
  try {
    return createHash('sha256').update(readlinkSync(path, { encoding: 'buffer' })).digest('hex');
  } catch (error) {
    throw new Error(`tree hash: cannot read the symlink ${path}: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(error);
}
