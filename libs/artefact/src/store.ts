import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { hex, insertBlob, type InsertedBlob } from './blob-insert';
import { extractArtefact } from './extract';
import { ARTEFACT_FILE } from './format';
import { NbprError, tryLock, withLockFile, writeFailure, writeJsonAtomic, type LockOptions } from '@nbpr/model';
import { storeLocation, type StoreLocation } from './store-location';

/** The `source` of a store record for an artefact built on this machine (else a site's name). */
export const SOURCE_BUILD = 'source build';

/**
 * What the store knows of the blob a tree came from: `trees/<key>.json`, written last, so its
 * presence is what says the tree is complete.
 */
export interface StoreRecord {
  key: string;
  tag: string;
  /** The .tar.gz in blobs/: digest, size, and the uncompressed tar's digest. */
  digest: string;
  size: number;
  diffId: string;
  /** Where it came from: a site name, or SOURCE_BUILD. */
  source: string;
  /** The id of the trusted key whose signature fetch verified, for an artefact from a site. */
  signedBy?: string;
}

export interface StoredArtefact extends StoreRecord {
  /** The extracted tree: target/, legal-info/, ..., nbpr-artefact.json. */
  tree: string;
}

export interface PutOptions {
  /** The blob must have this digest (it is checked either way). */
  expectedDigest?: string;
  expectedDiffId?: string;
  tag?: string;
  source?: string;
  signedBy?: string;
  /** Rename the blob file into the store instead of copying it. */
  move?: boolean;
}

/** A key whose lock is held: its tree can be written, from a blob file (already in blobs/ or not). */
export interface LockedKey {
  put(blobFile: string, options?: PutOptions): Promise<StoredArtefact>;
}

export interface StoreEntry {
  key: string;
  /** False for a tree without its record: left by a run that died, removed by the next one that needs it. */
  complete: boolean;
  name?: string;
  version?: string;
  tag?: string;
  source?: string;
  digest?: string;
  diffId?: string;
  /** Bytes of the blob, and of the extracted tree on disk. */
  blobBytes?: number;
  treeBytes: number;
}

export interface CleanReport {
  trees: string[];
  blobs: string[];
  /** Temporary files and directories of runs that died. */
  leftovers: string[];
  /** Keys another live run holds the lock of: left alone. */
  busy: string[];
  bytes: number;
}

const KEY = /^[0-9a-f]{64}$/;

/** The store at `dir`, else where `storeLocation` says (NBPR_CACHE_DIR, the Nerves data dir). */
export function openStore(dir?: string, env: NodeJS.ProcessEnv = process.env): ArtefactStore {
  if (dir !== undefined) return new ArtefactStore(dir);
  const location = storeLocation(env);
  return new ArtefactStore(location.root, {}, location.setBy);
}

/**
 * The local artefact store. Blobs are content-addressed (`blobs/sha256/<hex>`, verified on
 * insert: written to a temporary sibling, hashed, renamed). Trees are extracted per key
 * (`trees/<key>/`) into a temporary sibling and renamed into place, then the record
 * `trees/<key>.json` is written: a key has an artefact only when both are there, so nothing
 * ever reads a half-extracted tree. A lock per key (`locks/<key>.lock`) makes concurrent runs
 * wanting the same key fetch and extract it once; the others wait and find it.
 */
export class ArtefactStore {
  constructor(
    readonly root: string,
    private readonly lockOptions: LockOptions = {},
    /** The variable that chose root, when one did: what a user changes to move the store. */
    private readonly setBy?: StoreLocation['setBy'],
  ) {}

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', hex(digest));
  }

  treePath(key: string): string {
    return join(this.root, 'trees', checkKey(key));
  }

  recordPath(key: string): string {
    return `${this.treePath(key)}.json`;
  }

  async prepare(): Promise<void> {
    for (const dir of [join(this.root, 'blobs', 'sha256'), join(this.root, 'trees'), join(this.root, 'locks')]) {
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw this.unwritable(dir, error);
      }
    }
  }

  /** Why the store cannot be made where it is, and how to move it: the root came from a variable the user may not know is set. */
  private unwritable(dir: string, error: unknown): unknown {
    const failure = writeFailure(dir, error, 'directory');
    if (!failure) return error;
    const where = !this.setBy ? this.root : this.setBy === 'NBPR_CACHE_DIR' ? `${this.root} (NBPR_CACHE_DIR)` : `${this.root} (the default under ${this.setBy}; NBPR_CACHE_DIR is not set)`;
    return new NbprError(`cannot create the local artefact store: ${failure.what}`, { code: 'store/unwritable', where, hint: `${failure.hint} Or set NBPR_CACHE_DIR to a directory this user can write.`, cause: error });
  }

  /** Whether the artefact of `key` is here, complete. */
  async has(key: string): Promise<boolean> {
    return (await exists(this.recordPath(key))) && (await exists(this.treePath(key)));
  }

  async hasBlob(digest: string): Promise<boolean> {
    return exists(this.blobPath(digest));
  }

  /** The artefact of `key`, when it is here and complete. */
  async get(key: string): Promise<StoredArtefact | undefined> {
    const record = await this.readRecord(key);
    if (!record || !(await exists(this.treePath(key)))) return undefined;
    return { ...record, tree: this.treePath(key) };
  }

  async readRecord(key: string): Promise<StoreRecord | undefined> {
    let record: StoreRecord;
    try {
      record = JSON.parse(await readFile(this.recordPath(key), 'utf8')) as StoreRecord;
    } catch {
      return undefined;
    }
    if (record.key !== key || typeof record.digest !== 'string' || typeof record.diffId !== 'string') {
      throw new NbprError('the store record does not describe this key', { code: 'store/bad-record', where: this.recordPath(key), hint: 'Remove it (nbpr cache clean) and fetch again.' });
    }
    return record;
  }

  /** Marks the tree of `key` complete: only putLocked calls it, holding the key's lock, after the tree is in place. */
  private async writeRecord(key: string, record: StoreRecord): Promise<void> {
    await writeJsonAtomic(this.recordPath(key), record);
  }

  /** Puts a blob into blobs/, verified; a stream (a download) is hashed as it is written. */
  async putBlob(source: string | Readable, options: { expectedDigest?: string; move?: boolean } = {}): Promise<InsertedBlob> {
    await this.prepare();
    if (options.expectedDigest && typeof source === 'string' && !options.move && (await this.hasBlob(options.expectedDigest))) {
      return { digest: options.expectedDigest, size: (await stat(this.blobPath(options.expectedDigest))).size };
    }
    return insertBlob(join(this.root, 'blobs', 'sha256'), source, options);
  }

  /**
   * The artefact of `key`: from the store, else from `produce` (a download, a build), which
   * runs at most once across every process sharing the store and writes the tree through the
   * locked key it is given, so no one sees a partial tree. `produce` may return undefined (a
   * miss), and then so does this. An artefact here that `accept` turns down (one the trust
   * policy cannot vouch for) is produced again, replacing it.
   */
  async obtain(key: string, produce: (locked: LockedKey) => Promise<StoredArtefact | undefined>, accept: (record: StoreRecord) => boolean = () => true): Promise<{ artefact: StoredArtefact; produced: boolean } | undefined> {
    const here = await this.get(key);
    if (here && accept(here)) return { artefact: here, produced: false };
    return this.withKeyLock(key, async (locked) => {
      // Another run may have produced it while this one waited for the lock.
      const again = await this.get(key);
      if (again && accept(again)) return { artefact: again, produced: false };
      const artefact = await produce(locked);
      return artefact && { artefact, produced: true };
    });
  }

  /**
   * Puts an artefact built here into the store, replacing whatever the key had (a rebuild
   * supersedes). Kept for the source-build path.
   */
  async addBuilt(p: { key: string; tag: string; file: string; digest: string; diffId: string; size: number }): Promise<string> {
    return this.withKeyLock(p.key, async () => {
      await this.removeTree(p.key);
      await this.putLocked(p.key, p.file, { expectedDigest: p.digest, expectedDiffId: p.diffId, tag: p.tag, source: SOURCE_BUILD, move: true });
      return this.treePath(p.key);
    });
  }

  /**
   * Runs `fn` holding the lock of one key, with the only way to write that key's tree: the
   * store is the one writer of its trees, and only under their lock. A tree without its record
   * is what a run that died mid-way leaves: with the lock held nobody is writing it, so it is
   * removed first.
   */
  async withKeyLock<T>(key: string, fn: (locked: LockedKey) => Promise<T>): Promise<T> {
    await this.prepare();
    return withLockFile(this.lockPath(key), async () => {
      if (!(await exists(this.recordPath(key))) && (await exists(this.treePath(key)))) await this.removeTree(key);
      return fn({ put: (blobFile, options = {}) => this.putLocked(key, blobFile, options) });
    }, this.lockOptions);
  }

  /** Every key with a tree here, complete or not, with what its record and metadata say. */
  async ls(): Promise<StoreEntry[]> {
    const names = await readdir(join(this.root, 'trees')).catch(() => [] as string[]);
    const keys = [...new Set(names.map((n) => n.replace(/\.json$/, '')).filter((k) => KEY.test(k)))].sort();
    return Promise.all(
      keys.map(async (key): Promise<StoreEntry> => {
        const record = await this.readRecord(key).catch(() => undefined);
        const treeBytes = await diskBytes(this.treePath(key));
        const entry: StoreEntry = { key, complete: !!record && (await exists(this.treePath(key))), treeBytes };
        if (record) {
          Object.assign(entry, { tag: record.tag, source: record.source, digest: record.digest, diffId: record.diffId });
          entry.blobBytes = (await stat(this.blobPath(record.digest)).catch(() => undefined))?.size;
        }
        const pkg = await packageOf(this.treePath(key));
        if (pkg) Object.assign(entry, pkg);
        return entry;
      }),
    );
  }

  /**
   * Removes the trees of `keys` (every key by default) with their records, the blobs no
   * remaining record needs, and what dead runs left behind. A key whose lock a live run
   * holds is left alone and reported busy.
   */
  async clean(options: { keys?: string[] } = {}): Promise<CleanReport> {
    const report: CleanReport = { trees: [], blobs: [], leftovers: [], busy: [], bytes: 0 };
    const entries = await this.ls();
    const wanted = options.keys ? new Set(options.keys.map(checkKey)) : undefined;
    if (entries.length > 0) await this.prepare();
    for (const entry of entries) {
      if (wanted && !wanted.has(entry.key)) continue;
      const release = await tryLock(this.lockPath(entry.key), this.lockOptions);
      if (!release) {
        report.busy.push(entry.key);
        continue;
      }
      try {
        report.bytes += entry.treeBytes;
        await this.removeTree(entry.key);
        report.trees.push(entry.key);
      } finally {
        await release();
      }
    }
    const needed = new Set<string>();
    for (const entry of await this.ls()) if (entry.digest) needed.add(hex(entry.digest));
    const removed = new Set(entries.filter((e) => report.trees.includes(e.key) && e.digest).map((e) => hex(e.digest!)));
    // A run holding a lock may have downloaded a blob it has not recorded yet: then only blobs of removed trees go.
    const onlyRemoved = !!wanted || (await this.anyLockHeld());
    const blobsDir = join(this.root, 'blobs', 'sha256');
    for (const name of await readdir(blobsDir).catch(() => [] as string[])) {
      const path = join(blobsDir, name);
      if (KEY.test(name)) {
        if (needed.has(name) || (onlyRemoved && !removed.has(name))) continue;
        report.bytes += await diskBytes(path);
        await rm(path, { force: true });
        report.blobs.push(`sha256:${name}`);
      } else if (await leftBehind(path, name)) {
        report.bytes += await diskBytes(path);
        await rm(path, { recursive: true, force: true });
        report.leftovers.push(path);
      }
    }
    const treesDir = join(this.root, 'trees');
    for (const name of await readdir(treesDir).catch(() => [] as string[])) {
      const path = join(treesDir, name);
      if (name.startsWith('.') && (await leftBehind(path, name))) {
        report.bytes += await diskBytes(path);
        await rm(path, { recursive: true, force: true });
        report.leftovers.push(path);
      }
    }
    return report;
  }

  /**
   * Removes what runs that are gone (killed mid-download, mid-extraction) left in blobs/ and
   * trees/: the next run calls it before it downloads, so a crash never costs disk for long.
   */
  async sweepLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    for (const dir of [join(this.root, 'blobs', 'sha256'), join(this.root, 'trees')]) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const path = join(dir, name);
        if (name.startsWith('.') && (await leftBehind(path, name))) {
          await rm(path, { recursive: true, force: true });
          removed.push(path);
        }
      }
    }
    return removed;
  }

  private async anyLockHeld(): Promise<boolean> {
    const locks = join(this.root, 'locks');
    for (const name of await readdir(locks).catch(() => [] as string[])) {
      if (!name.endsWith('.lock')) continue;
      const release = await tryLock(join(locks, name), this.lockOptions);
      if (!release) return true;
      await release();
    }
    return false;
  }

  private lockPath(key: string): string {
    return join(this.root, 'locks', `${checkKey(key)}.lock`);
  }

  /** Holding the key's lock: blob in, tree extracted from the stored blob, record last. */
  private async putLocked(key: string, blobFile: string, options: PutOptions): Promise<StoredArtefact> {
    const blob = await this.putBlob(blobFile, { expectedDigest: options.expectedDigest, move: options.move });
    await this.removeTree(key);
    try {
      const extracted = await extractArtefact(this.blobPath(blob.digest), this.treePath(key), { expectedDigest: blob.digest, expectedDiffId: options.expectedDiffId, expectedKey: key });
      const record: StoreRecord = { key, tag: options.tag ?? '', digest: blob.digest, size: blob.size, diffId: extracted.diffId, source: options.source ?? 'local', ...(options.signedBy ? { signedBy: options.signedBy } : {}) };
      await this.writeRecord(key, record);
      return { ...record, tree: this.treePath(key) };
    } catch (error) {
      // A stored blob that does not extract is of no use to anyone: the next run must fetch it again.
      await rm(this.blobPath(blob.digest), { force: true });
      throw error;
    }
  }

  /** Record first, so that the key stops being "here" before its tree starts disappearing. */
  private async removeTree(key: string): Promise<void> {
    await rm(this.recordPath(key), { force: true });
    const tree = this.treePath(key);
    if (!(await exists(tree))) return;
    const trash = join(this.root, 'trees', `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.removing`);
    await rename(tree, trash);
    await rm(trash, { recursive: true, force: true });
  }
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new NbprError(`not a cache key: ${JSON.stringify(key)}`, { code: 'store/invalid-key', hint: 'Keys are 64 lowercase hex digits.' });
  return key;
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

async function diskBytes(path: string): Promise<number> {
  const s = await lstat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path)) total += await diskBytes(join(path, name));
  return total;
}

async function packageOf(tree: string): Promise<{ name: string; version: string } | undefined> {
  try {
    const metadata = JSON.parse(await readFile(join(tree, ARTEFACT_FILE), 'utf8'));
    const { name, version } = metadata.keyDocument.package;
    return typeof name === 'string' && typeof version === 'string' ? { name, version } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a temporary name (".<...>.<pid>.<random>.<partial|tmp|removing|download>") belongs to a run
 * that is gone: its pid is dead on this host, or it is a day old (another host, a container).
 */
async function leftBehind(path: string, name: string): Promise<boolean> {
  // .download: the OCI client's temporary sibling of a blob being downloaded.
  const m = /\.(\d+)\.[0-9a-f]{8}\.(partial|tmp|removing|download)$/.exec(name);
  if (!m) return false;
  const s = await lstat(path).catch(() => undefined);
  if (!s) return false;
  if (Date.now() - s.mtimeMs > 24 * 3600_000) return true;
  try {
    process.kill(Number(m[1]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
