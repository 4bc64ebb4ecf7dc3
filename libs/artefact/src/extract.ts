import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, copyFileSync, createReadStream, fchmodSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { NbprError } from '@nbpr/model';
import { ARTEFACT_FILE, DIRECTORY_MODE, normalisedFileMode, type ArtefactFile, type ArtefactMetadata } from './format';
import { parseArtefactMetadata } from './metadata';
import { escapingLinkReason, unsafePathReason } from './safe-path';
import { symlinkEscape } from './symlink-escape';
import { TarFormatError, TarReader, type TarReadEntry } from './tar-reader';

export interface ExtractOptions {
  /** 'sha256:<hex>' the .tar.gz must have (the registry's blob digest). */
  expectedDigest?: string;
  /** 'sha256:<hex>' the uncompressed tar must have (the diff id). */
  expectedDiffId?: string;
  /** Key the artefact's metadata must carry. */
  expectedKey?: string;
}

export interface ExtractResult {
  digest: string;
  diffId: string;
  size: number;
  uncompressedSize: number;
  metadata: ArtefactMetadata;
}

/** nbpr-artefact.json is held in memory until verified; no real file list comes near this. */
const MAX_METADATA_BYTES = 64 << 20;
const REFUSED_HINT = 'The artefact was refused and nothing was extracted. Its publisher must repack it with NBPR; report it if it came from a registry.';

type Refuse = (what: string) => never;

/**
 * Extracts an artefact into `destDir`, which must not exist. gunzip and untar stream in one
 * pass that also computes the blob digest and the diff id and hashes every file; everything
 * is written into a temporary sibling, and only once both digests, the metadata and every
 * entry have been checked against each other is it renamed into place. Any failure leaves
 * nothing behind.
 *
 * Refused: absolute paths, '..' or '.' segments, paths outside the artefact roots or through
 * a symlink (also on case-insensitive filesystems), symlinks that escape the tree (alone or
 * followed through each other), hard links to anything but a regular file extracted before
 * them (they are extracted as copies), device files, FIFOs, duplicate entries, and any tar
 * construct the strict reader does not know (see TarReader).
 */
export async function extractArtefact(blobFile: string, destDir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const temp = join(dirname(destDir), `.${basename(destDir)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
  await mkdir(dirname(destDir), { recursive: true });
  await mkdir(temp);
  try {
    await chmod(temp, DIRECTORY_MODE);
    const result = await extractInto(blobFile, temp, options);
    await rename(temp, destDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      throw new NbprError('the destination of the extraction already exists', { code: 'artefact/destination-exists', where: destDir, hint: 'Extraction never writes into an existing directory; remove it first.', cause: error });
    });
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** The most an artefact may unpack to: NBPR_MAX_ARTEFACT_BYTES, default 4 GiB. */
export function maxArtefactBytes(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.NBPR_MAX_ARTEFACT_BYTES);
  return Number.isSafeInteger(configured) && configured > 0 ? configured : 4 * 1024 ** 3;
}

async function extractInto(blobFile: string, dir: string, options: ExtractOptions): Promise<ExtractResult> {
  const gzHash = createHash('sha256');
  const tarHash = createHash('sha256');
  let size = 0;
  let uncompressedSize = 0;
  const reader = new TarReader();
  const tree = new TreeWriter(dir);
  const refuse: Refuse = (what) => {
    throw new NbprError(`unsafe artefact entry ${what}`, { code: 'artefact/unsafe-entry', where: blobFile, hint: REFUSED_HINT });
  };

  const source = createReadStream(blobFile, { highWaterMark: 1 << 20 });
  const tar = pipeline(
    source,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        gzHash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    }),
    // Room to inflate ahead while the main thread writes (zlib streams take stream options; their type does not say so).
    createGunzip(Object.assign({ chunkSize: 256 * 1024 }, { readableHighWaterMark: 4 << 20 })),
    () => undefined,
  );
  const cap = maxArtefactBytes();
  try {
    for await (const chunk of tar as AsyncIterable<Buffer>) {
      tarHash.update(chunk);
      uncompressedSize += chunk.length;
      if (uncompressedSize > cap) {
        throw new NbprError(`the artefact unpacks to more than ${cap} bytes`, { code: 'artefact/too-large', where: blobFile, hint: 'Refused before more is written (a compressed archive can claim far more than it weighs). Set NBPR_MAX_ARTEFACT_BYTES higher if an artefact really is this large.' });
      }
      for (const event of reader.push(chunk)) {
        if (event.kind === 'entry') tree.begin(event.entry, refuse);
        else if (event.kind === 'data') tree.data(event.data);
        else tree.end();
      }
    }
    reader.end();
  } catch (error) {
    source.destroy();
    tree.abort();
    if (error instanceof NbprError) throw error;
    if (error instanceof TarFormatError) throw new NbprError(`malformed artefact tar: ${error.message}`, { code: 'artefact/corrupt', where: blobFile, hint: REFUSED_HINT });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && size === 0) throw new NbprError('artefact blob not found', { code: 'artefact/blob-not-found', where: blobFile, cause: error });
    throw new NbprError(`corrupt artefact: ${(error as Error).message}`, { code: 'artefact/corrupt', where: blobFile, hint: 'Delete it and fetch it again.', cause: error });
  }

  const digest = `sha256:${gzHash.digest('hex')}`;
  const diffId = `sha256:${tarHash.digest('hex')}`;
  if (options.expectedDigest && digest !== options.expectedDigest) throw new NbprError(`artefact digest mismatch: expected ${options.expectedDigest}, got ${digest}`, { code: 'artefact/digest-mismatch', where: blobFile, hint: 'The download is corrupt or was tampered with; fetch it again.' });
  if (options.expectedDiffId && diffId !== options.expectedDiffId) throw new NbprError(`artefact content (diff id) mismatch: expected ${options.expectedDiffId}, got ${diffId}`, { code: 'artefact/digest-mismatch', where: blobFile, hint: 'The blob is not the artefact its manifest describes; it is not used.' });
  if (!tree.metadataText) throw new NbprError(`not an NBPR artefact: no ${ARTEFACT_FILE}`, { code: 'artefact/not-nbpr', where: blobFile });
  const metadata = parseArtefactMetadata(tree.metadataText.toString('utf8'), `${blobFile}:${ARTEFACT_FILE}`);
  if (options.expectedKey && metadata.key !== options.expectedKey) throw new NbprError(`artefact is for key ${metadata.key}, expected ${options.expectedKey}`, { code: 'artefact/wrong-key', where: blobFile, hint: 'The artefact was built from other inputs; it is not used.' });
  const mismatch = listingMismatch(metadata.files, tree.listing);
  if (mismatch) throw new NbprError(`artefact content does not match its ${ARTEFACT_FILE}: ${mismatch}`, { code: 'artefact/content-mismatch', where: blobFile, hint: REFUSED_HINT });
  const escape = symlinkEscape(tree.links);
  if (escape) refuse(escape);
  await writeFile(join(dir, ARTEFACT_FILE), tree.metadataText, { flag: 'wx' });
  await chmod(join(dir, ARTEFACT_FILE), 0o644);
  return { digest, diffId, size, uncompressedSize, metadata };
}

interface OpenEntry {
  entry: TarReadEntry;
  hash: ReturnType<typeof createHash>;
  written: number;
  fd?: number;
  /** Set for nbpr-artefact.json, which is kept in memory until verified. */
  metadata?: Buffer[];
}

/**
 * Writes entries into the temporary tree, refusing what must not be there, and lists what it
 * wrote. Its syscalls are synchronous on purpose: each takes microseconds on the page cache,
 * less than a hop through the thread pool, while gunzip keeps inflating off the main thread.
 */
class TreeWriter {
  /** What was extracted, as the metadata should list it. */
  readonly listing = new Map<string, ArtefactFile>();
  readonly links = new Map<string, string>();
  metadataText: Buffer | undefined;
  /** Case- and normalisation-folded symlink paths: on macOS "target/Lib/x" goes through a link "target/lib". */
  private readonly foldedLinks = new Set<string>();
  private readonly dirs = new Set<string>();
  private current: OpenEntry | undefined;
  /** What the metadata lists, once it has been read. */
  private listed: Map<string, { type: string; size?: number }> | undefined;
  /** Read once: modes the umask would not touch need no chmod after creation. */
  private readonly umask = process.umask();

  constructor(private readonly root: string) {}

  begin(entry: TarReadEntry, refuse: Refuse): void {
    const path = entry.path;
    const quoted = JSON.stringify(path);
    if (path === ARTEFACT_FILE) {
      if (entry.type !== 'file' || this.metadataText) refuse(`${quoted}: not one regular file`);
      if (entry.size > MAX_METADATA_BYTES) refuse(`${quoted}: ${entry.size} bytes`);
      this.current = { entry, hash: createHash('sha256'), written: 0, metadata: [] };
      return;
    }
    const unsafe = unsafePathReason(path);
    if (unsafe) refuse(`${quoted}: ${unsafe}`);
    if (this.listing.has(path)) refuse(`${quoted}: listed twice`);
    // Once the metadata has been read, nothing it does not list is written, nor more bytes than it lists.
    if (this.listed) {
      const listed = this.listed.get(path);
      if (!listed) refuse(`${quoted}: not listed in ${ARTEFACT_FILE}`);
      else if (entry.type === 'file' && (listed.type !== 'file' || entry.size > (listed.size ?? 0))) refuse(`${quoted}: ${entry.size} bytes, ${ARTEFACT_FILE} lists ${listed.type === 'file' ? `${listed.size} bytes` : `a ${listed.type}`}`);
    }
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      if (this.foldedLinks.has(fold(segments.slice(0, i).join('/')))) refuse(`${quoted}: path through a symlink`);
    }
    // A path through an entry that is not a directory (a file, a symlink) cannot be written.
    for (let i = 1; i < segments.length; i++) {
      const parent = this.listing.get(segments.slice(0, i).join('/'));
      if (parent && parent.type !== 'directory') refuse(`${quoted}: its parent ${JSON.stringify(parent.path)} is a ${parent.type}, not a directory`);
    }
    try {
      this.write(entry, segments, refuse);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENAMETOOLONG') refuse(`${quoted}: a name too long for this filesystem`);
      if (code === 'ENOTDIR') refuse(`${quoted}: a path through something that is not a directory`);
      // Only a case- or normalisation-insensitive filesystem makes two different names one.
      if (code === 'EEXIST') refuse(`${quoted}: another entry already has this name on this filesystem (it ignores case or Unicode normalisation)`);
      throw error;
    }
  }

  data(data: Buffer): void {
    const c = this.current!;
    c.hash.update(data);
    c.written += data.length;
    if (c.metadata) {
      c.metadata.push(data);
      return;
    }
    let offset = 0;
    while (offset < data.length) offset += writeSync(c.fd!, data, offset);
  }

  end(): void {
    const c = this.current;
    this.current = undefined;
    if (!c) return;
    if (c.metadata) {
      this.metadataText = Buffer.concat(c.metadata);
      try {
        this.listed = new Map(parseArtefactMetadata(this.metadataText.toString('utf8'), ARTEFACT_FILE).files.map((f) => [f.path, f]));
      } catch {
        // Reported with its place once the whole archive is read.
      }
      return;
    }
    // Created with its mode; set again only where the umask took bits away.
    const mode = normalisedFileMode(c.entry.mode);
    if (mode & this.umask) fchmodSync(c.fd!, mode);
    closeSync(c.fd!);
    this.listing.set(c.entry.path, { path: c.entry.path, type: 'file', mode: c.entry.mode, size: c.written, sha256: c.hash.digest('hex') });
  }

  abort(): void {
    if (this.current?.fd !== undefined) closeSync(this.current.fd);
    this.current = undefined;
  }

  private write(entry: TarReadEntry, segments: string[], refuse: Refuse): void {
    const path = entry.path;
    const quoted = JSON.stringify(path);
    const target = join(this.root, path);
    this.ensureDir(segments.slice(0, -1));
    switch (entry.type) {
      case 'directory':
        this.ensureDir(segments);
        this.listing.set(path, { path, type: 'directory', mode: entry.mode });
        return;
      case 'symlink': {
        const escape = escapingLinkReason(path, entry.linkpath!);
        if (escape) refuse(`${quoted}: ${escape}`);
        symlinkSync(entry.linkpath!, target);
        this.links.set(path, entry.linkpath!);
        this.foldedLinks.add(fold(path));
        this.listing.set(path, { path, type: 'symlink', mode: entry.mode, target: entry.linkpath! });
        return;
      }
      case 'link': {
        // A hard link is extracted as a copy of a file this archive already wrote: never a link to anything else.
        const unsafeTarget = unsafePathReason(entry.linkpath!);
        if (unsafeTarget) refuse(`${quoted}: hard link target ${JSON.stringify(entry.linkpath)}: ${unsafeTarget}`);
        const source = this.listing.get(entry.linkpath!);
        if (source?.type !== 'file') return refuse(`${quoted}: hard link to ${JSON.stringify(entry.linkpath)}, which is not a regular file extracted before it`);
        copyFileSync(join(this.root, entry.linkpath!), target, constants.COPYFILE_EXCL);
        chmodSync(target, normalisedFileMode(entry.mode));
        this.listing.set(path, { path, type: 'file', mode: entry.mode, size: source.size, sha256: source.sha256 });
        return;
      }
      case 'file':
        // O_EXCL: never through whatever already has this name, a symlink least of all.
        this.current = { entry, hash: createHash('sha256'), written: 0, fd: openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, normalisedFileMode(entry.mode)) };
        return;
    }
  }

  /** Makes the directories down to `segments`, each 0755 whatever the umask. */
  private ensureDir(segments: string[]): void {
    for (let i = 1; i <= segments.length; i++) {
      const path = segments.slice(0, i).join('/');
      if (this.dirs.has(path)) continue;
      const absolute = join(this.root, path);
      mkdirSync(absolute, DIRECTORY_MODE);
      if (DIRECTORY_MODE & this.umask) chmodSync(absolute, DIRECTORY_MODE);
      this.dirs.add(path);
    }
  }
}

function fold(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/** The first difference between what the metadata lists and what was extracted, if any. */
function listingMismatch(expected: readonly ArtefactFile[], actual: ReadonlyMap<string, ArtefactFile>): string | undefined {
  for (const file of expected) {
    const got = actual.get(file.path);
    if (!got) return `${file.path} is listed but not in the archive`;
    if (JSON.stringify(facts(got)) !== JSON.stringify(facts(file))) return `${file.path} is ${JSON.stringify(facts(got))} in the archive but listed as ${JSON.stringify(facts(file))}`;
  }
  if (actual.size !== expected.length) {
    const listed = new Set(expected.map((f) => f.path));
    return `${[...actual.keys()].find((p) => !listed.has(p))} is in the archive but not listed`;
  }
  return undefined;
}

/** An entry's facts in one fixed order, whatever order its fields were written in. */
function facts(f: ArtefactFile): unknown[] {
  return f.type === 'file' ? [f.type, f.mode, f.size, f.sha256] : f.type === 'symlink' ? [f.type, f.mode, f.target] : [f.type, f.mode];
}
