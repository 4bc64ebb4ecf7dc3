import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cacheKey, type KeyDocument } from '@nbpr/key';
import { NbprError } from '@nbpr/model';
import { readElfDynamic } from './elf';
import { ARTEFACT_FILE, ARTEFACT_ROOTS, ARTEFACT_SCHEMA_VERSION, DIRECTORY_MODE, normalisedFileMode, SYMLINK_MODE, type ArtefactFile, type ArtefactMetadata } from './format';
import { createDeterministicGzip, fixHeader } from './gzip';
import { checkArtefactLayout } from './layout';
import { escapingLinkReason } from './safe-path';
import { SonameSet, startsLikeElf } from './sonames';
import { symlinkEscape } from './symlink-escape';
import { TAR_END, tarHeader, tarPadding } from './tar-writer';
import { walkTree, type TreeEntry } from './tree-walk';

export interface PackInput {
  /** A directory holding target/, optionally rootfs/, staging/ and legal-info/. */
  sourceDir: string;
  keyDocument: KeyDocument;
  /** The kconfig record of the build; empty when not known. */
  build?: ArtefactMetadata['build'];
  /** Where to write the .tar.gz (through a temporary sibling, renamed when complete). */
  outFile: string;
  /**
   * The one mtime of every entry, in seconds since the epoch: the build's SOURCE_DATE_EPOCH.
   * 0 by default. Never read from the environment here, so that the same call always gives
   * the same bytes.
   */
  mtime?: number;
}

export interface PackResult {
  /** 'sha256:<hex>' of the uncompressed tar: the identity of the content (the OCI diff id). */
  diffId: string;
  /** 'sha256:<hex>' of the .tar.gz: what a registry addresses. */
  digest: string;
  /** Bytes of the .tar.gz. */
  size: number;
  /** Bytes of the tar. */
  uncompressedSize: number;
  metadata: ArtefactMetadata;
}

/** Tar bytes handed to gzip at once: few calls into zlib's thread pool, also for trees of small files. */
const BATCH_BYTES = 1 << 20;
/** Enough of a file's head to tell ELF from anything else. */
const ELF_HEAD_BYTES = 64;

/**
 * Packs an artefact deterministically: the same tree gives the same tar (and, with the same
 * zlib, the same .tar.gz) whatever its files' mtimes, owners, permission bits beyond "is it
 * executable", the umask, or the order directories list their entries in. Entries are sorted
 * bytewise by path with directories included explicitly; uid/gid 0 without names; one mtime;
 * modes 0755 for directories, 0755/0644 for files, 0777 for symlinks; hard links become
 * regular files; sockets, FIFOs and devices are refused, as are symlinks leaving the tree.
 * nbpr-artefact.json goes last, holding the file hashes computed on the way. Both digests are
 * computed in the one pass that writes the file.
 */
export async function packArtefact(input: PackInput): Promise<PackResult> {
  await checkArtefactLayout(input.sourceDir);
  const key = cacheKey(input.keyDocument);
  const entries = await walkTree(input.sourceDir, ARTEFACT_ROOTS);
  checkLinks(entries);
  const sonames = new SonameSet();
  const mtime = new Date((input.mtime ?? 0) * 1000);
  const files: ArtefactFile[] = [];
  // Field order is part of the format: the digests of existing artefacts depend on it.
  const metadata = (): ArtefactMetadata => ({ schemaVersion: ARTEFACT_SCHEMA_VERSION, key, keyDocument: input.keyDocument, files, sonames: sonames.result(), build: input.build ?? { kconfig: {}, closure: [] } });

  async function* tar(): AsyncGenerator<Buffer> {
    const batch = new Batch();
    for (const entry of entries) {
      if (entry.type === 'directory') {
        files.push({ path: entry.path, type: 'directory', mode: DIRECTORY_MODE });
        yield* batch.add(tarHeader({ path: entry.path, type: 'Directory', mode: DIRECTORY_MODE, size: 0 }, mtime));
      } else if (entry.type === 'symlink') {
        files.push({ path: entry.path, type: 'symlink', mode: SYMLINK_MODE, target: entry.target! });
        yield* batch.add(tarHeader({ path: entry.path, type: 'SymbolicLink', mode: SYMLINK_MODE, size: 0, linkpath: entry.target }, mtime));
      } else {
        yield* packFile(entry, batch);
      }
    }
    // Last, because it lists the hashes computed while the files above were packed.
    const json = Buffer.from(JSON.stringify(metadata(), null, 2) + '\n');
    yield* batch.add(tarHeader({ path: ARTEFACT_FILE, type: 'File', mode: 0o644, size: json.length }, mtime), json, tarPadding(json.length), TAR_END);
    yield* batch.flush();
  }

  async function* packFile(entry: TreeEntry, batch: Batch): AsyncGenerator<Buffer> {
    // Synchronous syscalls on purpose: on a warm tree each takes microseconds, less than a hop
    // through the thread pool, and gzip runs off the main thread meanwhile. O_NOFOLLOW and
    // O_NONBLOCK: a file swapped for a symlink or a FIFO since the walk fails instead of being
    // followed or blocking.
    const fd = openSync(entry.absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    let elf = false;
    try {
      // The size and mode in the header are those of the file opened, not of an earlier lstat.
      const before = fstatSync(fd);
      if (!before.isFile()) throw new NbprError(`${entry.path} stopped being a regular file while it was being packed`, { code: 'artefact/changed-while-packing', where: entry.absolute });
      const mode = normalisedFileMode(before.mode);
      yield* batch.add(tarHeader({ path: entry.path, type: 'File', mode, size: before.size }, mtime));
      const hash = createHash('sha256');
      let done = 0;
      let head: Buffer | undefined;
      while (done < before.size) {
        // Read straight into the batch: no buffer per file, no copy.
        const data = yield* batch.readInto(fd, done, before.size - done, ELF_HEAD_BYTES);
        if (data.length === 0) break;
        head ??= data;
        hash.update(data);
        done += data.length;
      }
      elf = entry.path.startsWith('target/') && head !== undefined && startsLikeElf(head);
      const after = fstatSync(fd);
      if (done !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
        throw new NbprError(`${entry.path} changed while it was being packed`, { code: 'artefact/changed-while-packing', where: entry.absolute, hint: 'Nothing may write to the tree while it is packed; pack again.' });
      }
      files.push({ path: entry.path, type: 'file', mode, size: done, sha256: hash.digest('hex') });
      yield* batch.add(tarPadding(done));
    } finally {
      closeSync(fd);
    }
    // Parsed after packing, from the page cache: the few ELF files of a tree, not every file.
    if (elf) sonames.add(await readElfDynamic(entry.absolute));
  }

  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  let uncompressedSize = 0;
  let size = 0;
  const temp = join(dirname(input.outFile), `.${basename(input.outFile)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const out = await open(temp, 'wx', 0o644);
  try {
    await pipeline(
      async function* () {
        for await (const chunk of tar()) {
          tarHash.update(chunk);
          uncompressedSize += chunk.length;
          yield chunk;
        }
      },
      createDeterministicGzip(),
      fileSink(out, (chunk) => {
        fixHeader(chunk, size);
        gzHash.update(chunk);
        size += chunk.length;
      }),
    );
    await out.close();
    await rename(temp, input.outFile);
  } catch (error) {
    await out.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  return { diffId: `sha256:${tarHash.digest('hex')}`, digest: `sha256:${gzHash.digest('hex')}`, size, uncompressedSize, metadata: metadata() };
}

/** Refuses, before anything is written, the symlinks that extraction would refuse. */
function checkLinks(entries: readonly TreeEntry[]): void {
  const links = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type !== 'symlink') continue;
    const reason = escapingLinkReason(entry.path, entry.target!);
    if (reason) throw new NbprError(`symlink ${entry.path} -> ${entry.target}: ${reason}`, { code: 'artefact/escaping-symlink', where: entry.absolute, hint: 'Artefact symlinks must stay inside the artefact; make it relative (ln -sr) or copy what it points to.' });
    links.set(entry.path, entry.target!);
  }
  const escape = symlinkEscape(links);
  if (escape) throw new NbprError(escape, { code: 'artefact/escaping-symlink', hint: 'Artefact symlinks must stay inside the artefact, also when followed through each other.' });
}

/**
 * Gathers headers and file contents into large buffers, for gzip to take in few calls. File
 * contents are read straight into it.
 */
class Batch {
  private buffer = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;

  *add(...buffers: Buffer[]): Generator<Buffer> {
    for (const buffer of buffers) {
      if (buffer.length > BATCH_BYTES - this.used) yield* this.flush();
      if (buffer.length >= BATCH_BYTES) {
        yield buffer;
        continue;
      }
      buffer.copy(this.buffer, this.used);
      this.used += buffer.length;
    }
  }

  /**
   * Reads up to `length` bytes of `fd` at `position` into the batch and returns them (empty at
   * the end of the file). At least `atLeast` bytes of room are made first, so that a file's
   * head arrives in one piece.
   */
  *readInto(fd: number, position: number, length: number, atLeast: number): Generator<Buffer, Buffer> {
    if (BATCH_BYTES - this.used < Math.min(length, atLeast)) yield* this.flush();
    const room = Math.min(length, BATCH_BYTES - this.used);
    const read = readSync(fd, this.buffer, this.used, room, position);
    const data = this.buffer.subarray(this.used, this.used + read);
    this.used += read;
    if (this.used === BATCH_BYTES) yield* this.flush();
    return data;
  }

  *flush(): Generator<Buffer> {
    if (this.used === 0) return;
    yield this.buffer.subarray(0, this.used);
    // The buffer just yielded belongs to gzip until it has compressed it.
    this.buffer = Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
  }
}

/** Writes every chunk to `handle` after `onChunk` has seen (and possibly patched) it. */
function fileSink(handle: FileHandle, onChunk: (chunk: Buffer) => void): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      writeAll(handle, chunk).then(() => callback(), callback);
    },
  });
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) offset += (await handle.write(chunk, offset)).bytesWritten;
}
