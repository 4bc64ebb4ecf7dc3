import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Version-control metadata: not part of what Buildroot sees of an external tree. */
const VCS_DIRS = new Set(['.git', '.hg', '.svn', '.bzr', 'CVS']);
const VCS_FILES = new Set(['.gitignore', '.gitattributes', '.gitmodules', '.hgignore']);

/** Files up to this size are read whole; larger ones are streamed to keep memory flat. */
const WHOLE_READ_LIMIT = 1 << 20;
/** Enough reads in flight to hide per-file latency without flooding the disk queue. */
const PARALLEL_READS = 16;

export interface TreeEntry {
  /** Relative path with '/' separators. */
  path: string;
  /** '755' (any execute bit), '644', or '120000' for a symlink. */
  mode: '755' | '644' | '120000';
  /** sha256 hex of the content (of the link target string for a symlink). */
  sha256: string;
}

/**
 * The external-tree hash of the cache key: 'sha256:' + sha256 over, for each entry sorted
 * bytewise by path, `<mode> <sha256 of content> <path>\0`. Only the executable bit of the
 * mode counts (git's view of a mode), mtimes and owners never do; empty directories and VCS
 * files do not count.
 */
export async function hashTree(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of await treeEntries(dir)) hash.update(`${entry.mode} ${entry.sha256} ${entry.path}\0`, 'utf8');
  return `sha256:${hash.digest('hex')}`;
}

/** The entries hashTree covers, in order: what to diff when a key changes unexpectedly. */
export async function treeEntries(dir: string): Promise<TreeEntry[]> {
  const found: Array<{ path: string; absolute: string; kind: 'file' | 'symlink'; executable: boolean; size: number }> = [];
  await walk(dir, '', found);
  found.sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')));
  const entries: TreeEntry[] = new Array(found.length);
  let next = 0;
  const worker = async () => {
    while (next < found.length) {
      const i = next++;
      const f = found[i];
      if (f.kind === 'symlink') {
        entries[i] = { path: f.path, mode: '120000', sha256: sha256(Buffer.from(await readlink(f.absolute), 'utf8')) };
      } else {
        entries[i] = { path: f.path, mode: f.executable ? '755' : '644', sha256: await hashFile(f.absolute, f.size) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, found.length) }, worker));
  return entries;
}

async function walk(root: string, prefix: string, out: Array<{ path: string; absolute: string; kind: 'file' | 'symlink'; executable: boolean; size: number }>): Promise<void> {
  const absoluteDir = prefix ? join(root, prefix) : root;
  let names: string[];
  try {
    names = await readdir(absoluteDir);
  } catch (error) {
    throw new Error(`tree hash: cannot read directory ${absoluteDir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  for (const name of names) {
    const path = prefix ? `${prefix}/${name}` : name;
    const absolute = join(root, path);
    const stat = await lstat(absolute);
    if (stat.isDirectory()) {
      if (!VCS_DIRS.has(name)) await walk(root, path, out);
    } else if (stat.isSymbolicLink()) {
      out.push({ path, absolute, kind: 'symlink', executable: false, size: 0 });
    } else if (stat.isFile()) {
      if (!VCS_FILES.has(name)) out.push({ path, absolute, kind: 'file', executable: (stat.mode & 0o111) !== 0, size: stat.size });
    } else {
      throw new Error(`tree hash: ${absolute} is neither a file, a directory nor a symlink (a socket, FIFO or device cannot be part of a package tree)`);
    }
  }
}

async function hashFile(path: string, size: number): Promise<string> {
  try {
    if (size <= WHOLE_READ_LIMIT) return sha256(await readFile(path));
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch (error) {
    throw new Error(`tree hash: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * What the tree hash covers beyond file contents: executable files and symlink targets, as
 * sorted lines. Nx hashes contents only, so the plugin adds these to a target's options to
 * make a chmod or a re-pointed link miss the cache as it changes the key. Synchronous and
 * content-free: it runs while Nx builds its project graph.
 */
export function treeModeFacts(dir: string): string[] {
  const facts: string[] = [];
  const walkSync = (prefix: string) => {
    for (const name of readdirSync(prefix ? join(dir, prefix) : dir)) {
      const path = prefix ? `${prefix}/${name}` : name;
      const stat = lstatSync(join(dir, path));
      if (stat.isDirectory()) {
        if (!VCS_DIRS.has(name)) walkSync(path);
      } else if (stat.isSymbolicLink()) {
        facts.push(`120000 ${path} -> ${readlinkSync(join(dir, path))}`);
      } else if (stat.isFile() && (stat.mode & 0o111) !== 0 && !VCS_FILES.has(name)) {
        facts.push(`755 ${path}`);
      }
    }
  };
  walkSync('');
  return facts.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
