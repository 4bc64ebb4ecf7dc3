import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { extractArtefact } from './extract';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '@nbpr/model';

export interface StoreRecord {
  key: string;
  tag: string;
  /** The .tar.gz in blobs/: digest, size, and the uncompressed tar's digest. */
  digest: string;
  size: number;
  diffId: string;
  /** Where it came from: a site name, or 'source build'. */
  source: string;
}

/**
 * The local artefact store: `NBPR_CACHE_DIR`, else Nerves' data dir (`$XDG_DATA_HOME/nerves/nbpr`
 * or `~/.nerves/nbpr`). Blobs are content-addressed (`blobs/sha256/<hex>`, written verified
 * through temporary siblings); trees are extracted per key (`trees/<key>/`), present only
 * when complete because they are renamed into place.
 */
export class ArtefactStore {
  constructor(readonly root: string) {}

  static open(env: NodeJS.ProcessEnv = process.env): ArtefactStore {
    if (env.NBPR_CACHE_DIR) return new ArtefactStore(env.NBPR_CACHE_DIR);
    const base = env.XDG_DATA_HOME ? join(env.XDG_DATA_HOME, 'nerves') : join(homedir(), '.nerves');
    return new ArtefactStore(join(base, 'nbpr'));
  }

  blobPath(digest: string): string {
    const hex = digest.replace(/^sha256:/, '');
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`internal: not a sha256 digest: ${digest}`);
    return join(this.root, 'blobs', 'sha256', hex);
  }

  treePath(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`internal: not a key: ${key}`);
    return join(this.root, 'trees', key);
  }

  /** What is known of the blob a tree came from: written once the tree is in place. */
  recordPath(key: string): string {
    return `${this.treePath(key)}.json`;
  }

  async writeRecord(key: string, record: StoreRecord): Promise<void> {
    await writeJsonAtomic(this.recordPath(key), record);
  }

  async readRecord(key: string): Promise<StoreRecord | undefined> {
    try {
      return JSON.parse(readFileSync(this.recordPath(key), 'utf8')) as StoreRecord;
    } catch {
      return undefined;
    }
  }

  async prepare(): Promise<void> {
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.root, 'trees'), { recursive: true });
    await mkdir(join(this.root, 'locks'), { recursive: true });
  }

  async hasTree(key: string): Promise<boolean> {
    return exists(this.treePath(key));
  }

  async hasBlob(digest: string): Promise<boolean> {
    return exists(this.blobPath(digest));
  }

  /**
   * Runs `fn` holding the lock of one key, so that concurrent runs wanting the same artefact
   * download and extract it once; the others wait and then find the tree. A lock whose
   * holder died is taken over.
   */
  async withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.prepare();
    return withLockFile(join(this.root, 'locks', `${key}.lock`), fn);
  }

  /**
   * Puts an artefact built here into the store, as a fetched one would be: the blob under its
   * digest, the tree extracted (and so verified) from it, and the record.
   */
  async addBuilt(p: { key: string; tag: string; file: string; digest: string; diffId: string; size: number }): Promise<string> {
    await this.prepare();
    return this.withKeyLock(p.key, async () => {
      await moveFile(p.file, this.blobPath(p.digest));
      if (await this.hasTree(p.key)) await rm(this.treePath(p.key), { recursive: true, force: true });
      await extractArtefact(this.blobPath(p.digest), this.treePath(p.key), { expectedDigest: p.digest, expectedDiffId: p.diffId, expectedKey: p.key });
      await this.writeRecord(p.key, { key: p.key, tag: p.tag, digest: p.digest, size: p.size, diffId: p.diffId, source: 'source build' });
      return this.treePath(p.key);
    });
  }

  async list(): Promise<Array<{ key: string; bytes: number }>> {
    const trees = join(this.root, 'trees');
    const keys = (await readdir(trees).catch(() => [] as string[])).filter((k) => /^[0-9a-f]{64}$/.test(k));
    return Promise.all(keys.map(async (key) => ({ key, bytes: await size(join(trees, key)) })));
  }

  async clean(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` holding `lock` (created with O_EXCL, holding the holder's pid). Others wait; a
 * lock whose holder process is gone is taken over.
 */
export async function withLockFile<T>(lock: string, fn: () => Promise<T>, pollMs = 50): Promise<T> {
  const token = `${process.pid} ${randomBytes(4).toString('hex')}`;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, token);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (holderIsGone(lock)) await unlink(lock).catch(() => undefined);
      else await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

function holderIsGone(lock: string): boolean {
  try {
    const pid = Number(readFileSync(lock, 'utf8').split(' ')[0]);
    if (!pid) return false;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** rename, or copy and delete when the store is on another filesystem than the build area. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const temp = `${to}.${process.pid}.move`;
    await copyFile(from, temp);
    await rename(temp, to);
    await unlink(from);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function size(path: string): Promise<number> {
  const s = await lstat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path)) total += await size(join(path, name));
  return total;
}
