import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readlink, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import { cacheKey, type KeyDocument } from '@nbpr/key';
import { NbprError } from '@nbpr/model';
import { readElfDynamic } from './elf';
import { ARTEFACT_FILE, ARTEFACT_ROOTS, ARTEFACT_SCHEMA_VERSION, type ArtefactFile, type ArtefactMetadata } from './format';
import { TAR_END, tarHeader, tarPadding, type TarEntry } from './tar-writer';

export interface PackInput {
  /** A directory holding target/ and legal-info/, optionally rootfs/ and staging/. */
  sourceDir: string;
  keyDocument: KeyDocument;
  build?: ArtefactMetadata['build'];
  /** Where to write the .tar.gz (through a temporary sibling). */
  outFile: string;
  /** The one mtime of every entry, in seconds (SOURCE_DATE_EPOCH); 0 by default. */
  mtime?: number;
}

export interface PackResult {
  /** sha256 of the uncompressed tar: the identity of the content. */
  diffId: string;
  /** sha256 of the .tar.gz: what a registry addresses. */
  digest: string;
  size: number;
  uncompressedSize: number;
  metadata: ArtefactMetadata;
}

interface SourceEntry extends TarEntry {
  absolute: string;
}

/**
 * Packs an artefact deterministically: the same tree gives the same bytes whatever its
 * files' mtimes, owners, permission bits beyond the executable one, or directory read order.
 * Both digests are computed in the one pass that writes the file.
 */
export async function packArtefact(input: PackInput): Promise<PackResult> {
  const entries = await collectEntries(input.sourceDir);
  const key = cacheKey(input.keyDocument);
  const mtime = new Date((input.mtime ?? 0) * 1000);
  const files: ArtefactFile[] = [];
  const sonames = await scanSonames(entries);
  const tarHash = createHash('sha256');
  let uncompressedSize = 0;
  const metadataOf = (): ArtefactMetadata => ({ schemaVersion: ARTEFACT_SCHEMA_VERSION, key, keyDocument: input.keyDocument, files, sonames, build: input.build ?? { kconfig: {}, closure: [] } });

  async function* tarStream(): AsyncGenerator<Buffer> {
    for (const entry of entries) {
      yield tarHeader(entry, mtime);
      if (entry.type === 'Directory') files.push({ path: entry.path, type: 'directory', mode: entry.mode });
      else if (entry.type === 'SymbolicLink') files.push({ path: entry.path, type: 'symlink', mode: entry.mode, target: entry.linkpath! });
      else {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of createReadStream(entry.absolute, { highWaterMark: 1 << 20 })) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (size !== entry.size) throw new NbprError(`${entry.path} changed size while it was being packed`, { where: entry.absolute, hint: 'Nothing may write to the tree while it is packed; pack again.' });
        files.push({ path: entry.path, type: 'file', mode: entry.mode, size, sha256: hash.digest('hex') });
        yield tarPadding(size);
      }
    }
    // The metadata goes last: it lists the hashes computed while packing the files above.
    const json = Buffer.from(JSON.stringify(metadataOf(), null, 2) + '\n');
    yield tarHeader({ path: ARTEFACT_FILE, type: 'File', mode: 0o644, size: json.length }, mtime);
    yield json;
    yield tarPadding(json.length);
    yield TAR_END;
  }

  const gzHash = createHash('sha256');
  let size = 0;
  const temp = join(dirname(input.outFile), `.${basename(input.outFile)}.${process.pid}.tmp`);
  try {
    await pipeline(
      Readable.from(tarStream()),
      tap((chunk) => {
        tarHash.update(chunk);
        uncompressedSize += chunk.length;
      }),
      // A fixed level and strategy, and Node's gzip header carries no mtime or file name.
      createGzip({ level: 6, strategy: zlib.Z_DEFAULT_STRATEGY }),
      tap((chunk) => {
        gzHash.update(chunk);
        size += chunk.length;
      }),
      createWriteStream(temp),
    );
    await rename(temp, input.outFile);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { diffId: `sha256:${tarHash.digest('hex')}`, digest: `sha256:${gzHash.digest('hex')}`, size, uncompressedSize, metadata: metadataOf() };
}

function tap(fn: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      fn(chunk);
      callback(null, chunk);
    },
  });
}

/** Every entry under the artefact roots, sorted bytewise, with normalised modes. */
async function collectEntries(sourceDir: string): Promise<SourceEntry[]> {
  const entries: SourceEntry[] = [];
  for (const name of await readdir(sourceDir)) {
    // An extracted artefact keeps its metadata at the root; packing regenerates it.
    if (name === ARTEFACT_FILE) continue;
    if (!(ARTEFACT_ROOTS as readonly string[]).includes(name)) {
      throw new NbprError(`unexpected '${name}' in an artefact tree`, { where: join(sourceDir, name), hint: `An artefact holds only ${ARTEFACT_ROOTS.join('/, ')}/.` });
    }
  }
  if (!(await readdir(sourceDir)).includes('target')) throw new NbprError('an artefact tree needs a target/ directory', { where: sourceDir });
  const walk = async (relative: string): Promise<void> => {
    const absolute = join(sourceDir, relative);
    const stat = await lstat(absolute);
    if (stat.isDirectory()) {
      entries.push({ path: relative, absolute, type: 'Directory', mode: 0o755, size: 0 });
      for (const name of await readdir(absolute)) await walk(`${relative}/${name}`);
    } else if (stat.isSymbolicLink()) {
      entries.push({ path: relative, absolute, type: 'SymbolicLink', mode: 0o777, size: 0, linkpath: await readlink(absolute) });
    } else if (stat.isFile()) {
      // Hard links are packed as the regular files they are: extraction never needs to link.
      entries.push({ path: relative, absolute, type: 'File', mode: stat.mode & 0o111 ? 0o755 : 0o644, size: stat.size });
    } else {
      throw new NbprError('an artefact cannot hold sockets, FIFOs or device files', { where: absolute, hint: 'Remove it from the tree; devices belong in the system, not in a package.' });
    }
  };
  for (const root of ARTEFACT_ROOTS) {
    try {
      await lstat(join(sourceDir, root));
    } catch {
      continue;
    }
    await walk(root);
  }
  return entries.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

async function scanSonames(entries: SourceEntry[]): Promise<ArtefactMetadata['sonames']> {
  const provided = new Set<string>();
  const needed = new Set<string>();
  for (const entry of entries) {
    if (entry.type !== 'File' || !entry.path.startsWith('target/') || entry.size < 64) continue;
    const info = await readElfDynamic(entry.absolute);
    if (!info) continue;
    if (info.soname) provided.add(info.soname);
    for (const lib of info.needed) needed.add(lib);
  }
  return { provided: [...provided].sort(), needed: [...needed].sort() };
}
