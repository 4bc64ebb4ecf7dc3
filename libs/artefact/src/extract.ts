import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { NbprError } from '@nbpr/model';
import { ARTEFACT_FILE, ARTEFACT_ROOTS, type ArtefactMetadata } from './format';
import { escapingLinkReason, unsafePathReason } from './safe-path';
import { validateArtefactMetadata } from './metadata';

export interface ExtractOptions {
  /** sha256:<hex> the .tar.gz must have (the registry's blob digest). */
  expectedDigest?: string;
  /** sha256:<hex> the uncompressed tar must have. */
  expectedDiffId?: string;
  /** Key the artefact's metadata must carry. */
  expectedKey?: string;
}

export interface ExtractResult {
  digest: string;
  diffId: string;
  metadata: ArtefactMetadata;
}

/**
 * Extracts an artefact into `destDir`, which must not exist: everything is written to a
 * temporary sibling, both digests and every file hash are verified while streaming, and only
 * a fully verified tree is renamed into place. Any failure leaves nothing behind.
 */
export async function extractArtefact(blobFile: string, destDir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const temp = join(dirname(destDir), `.${basename(destDir)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
  await mkdir(temp, { recursive: true });
  try {
    const result = await extractInto(blobFile, temp, options);
    await rename(temp, destDir);
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

async function extractInto(blobFile: string, dir: string, options: ExtractOptions): Promise<ExtractResult> {
  const gzHash = createHash('sha256');
  const tarHash = createHash('sha256');
  const symlinks = new Set<string>();
  const written = new Map<string, string>();
  const pending: Promise<void>[] = [];
  let metadataText = '';
  let failure: NbprError | undefined;
  const parser = new Parser({ strict: true });
  const refuse = (entry: ReadEntry, reason: string) => {
    failure ??= new NbprError(`unsafe artefact entry '${entry.path}': ${reason}`, { where: blobFile, hint: 'The artefact was refused and nothing was extracted. Its publisher must repack it; report it if it came from a registry.' });
    entry.resume();
    parser.abort(failure);
  };
  parser.on('entry', (entry: ReadEntry) => {
    if (failure) return entry.resume();
    const path = entry.path.replace(/\/$/, '');
    if (path === ARTEFACT_FILE && entry.type === 'File') {
      entry.on('data', (chunk: Buffer) => (metadataText += chunk.toString('utf8')));
      return;
    }
    const unsafe = unsafePathReason(path, ARTEFACT_ROOTS);
    if (unsafe) return refuse(entry, unsafe);
    const parents = path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    if (parents.some((p) => symlinks.has(p))) return refuse(entry, 'path through a symlink');
    const target = join(dir, path);
    switch (entry.type) {
      // Directories are made synchronously: an entry's data must find its file ready.
      case 'Directory':
        mkdirSync(target, { recursive: true, mode: 0o755 });
        return entry.resume();
      case 'SymbolicLink': {
        const escape = escapingLinkReason(path, entry.linkpath ?? '');
        if (escape) return refuse(entry, escape);
        symlinks.add(path);
        mkdirSync(dirname(target), { recursive: true });
        symlinkSync(entry.linkpath!, target);
        return entry.resume();
      }
      case 'File':
      case 'OldFile': {
        const hash = createHash('sha256');
        mkdirSync(dirname(target), { recursive: true });
        const file = createWriteStream(target, { mode: (entry.mode ?? 0o644) & 0o111 ? 0o755 : 0o644 });
        pending.push(
          new Promise<void>((resolve, reject) => {
            file.on('close', () => {
              written.set(path, hash.digest('hex'));
              resolve();
            });
            file.on('error', reject);
          }),
        );
        entry.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          if (!file.write(chunk)) {
            entry.pause();
            file.once('drain', () => entry.resume());
          }
        });
        entry.on('end', () => file.end());
        return;
      }
      case 'Link':
        return refuse(entry, 'hard links are not used by NBPR artefacts');
      default:
        return refuse(entry, `${entry.type} entries (devices, FIFOs) cannot be extracted`);
    }
  });
  try {
    await pipeline(
      createReadStream(blobFile, { highWaterMark: 1 << 20 }),
      hashing(gzHash),
      createGunzip(),
      hashing(tarHash),
      parser as unknown as Writable,
    );
    await Promise.all(pending);
  } catch (error) {
    if (failure) throw failure;
    throw new NbprError(`corrupt artefact: ${(error as Error).message}`, { where: blobFile, hint: 'Delete it and fetch it again.', cause: error });
  }
  if (failure) throw failure;
  const digest = `sha256:${gzHash.digest('hex')}`;
  const diffId = `sha256:${tarHash.digest('hex')}`;
  if (options.expectedDigest && digest !== options.expectedDigest) throw new NbprError(`artefact digest mismatch: expected ${options.expectedDigest}, got ${digest}`, { where: blobFile, hint: 'The download is corrupt or was tampered with; fetch it again.' });
  if (options.expectedDiffId && diffId !== options.expectedDiffId) throw new NbprError(`artefact content (diff id) mismatch: expected ${options.expectedDiffId}, got ${diffId}`, { where: blobFile });
  if (!metadataText) throw new NbprError(`not an NBPR artefact: no ${ARTEFACT_FILE}`, { where: blobFile });
  const metadata = validateArtefactMetadata(JSON.parse(metadataText), blobFile);
  writeFileSync(join(dir, ARTEFACT_FILE), metadataText);
  if (options.expectedKey && metadata.key !== options.expectedKey) throw new NbprError(`artefact is for key ${metadata.key}, expected ${options.expectedKey}`, { where: blobFile });
  for (const file of metadata.files) {
    if (file.type === 'file' && written.get(file.path) !== file.sha256) throw new NbprError(`${file.path} does not match the artefact's file list`, { where: blobFile });
  }
  return { digest, diffId, metadata };
}

function hashing(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}
