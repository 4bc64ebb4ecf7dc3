import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NbprError } from '@nbpr/model';
import { redactText } from './redact';
import { RetryableError } from './retry';

export interface ExpectedBlob {
  digest: string;
  /** Bytes expected; a negative or absent size is not checked (the digest still is). */
  size?: number;
}

/**
 * Streams a blob to `file`, hashing as it goes. The bytes go to a temporary sibling that is
 * renamed into place only once its sha256 and size match and it is on disk (fsync), so a
 * crash, a broken connection or a lying server never leaves anything at `file` that a later
 * run would trust. A body longer than expected is cut off at once rather than fill the disk;
 * one that stalls longer than `idleTimeoutMs` is abandoned. Transport faults come out as
 * RetryableErrors; failing to write locally is an NbprError naming the file.
 */
export async function downloadVerified(body: Readable, expected: ExpectedBlob, file: string, idleTimeoutMs: number, source: string): Promise<void> {
  const size = expected.size !== undefined && expected.size >= 0 ? expected.size : undefined;
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.download`);
  const hash = createHash('sha256');
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  const watch = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (size !== undefined && received > size) {
        callback(new RetryableError(`${source} sent more than the ${size} bytes expected of ${expected.digest}`));
        return;
      }
      hash.update(chunk);
      arm();
      callback(null, chunk);
    },
  });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => watch.destroy(new RetryableError(`download from ${source} stalled for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  };
  let handle: FileHandle | undefined;
  try {
    await mkdir(dirname(file), { recursive: true });
    // Opened before any byte flows, so that whatever goes wrong the file exists to be removed
    // (a write stream opening lazily could create it after the cleanup ran).
    handle = await open(temp, 'wx');
    arm();
    await pipeline(body, watch, handle.createWriteStream());
    handle = undefined; // closed by its stream
    clearTimeout(timer);
    if (size !== undefined && received !== size) throw new RetryableError(`download from ${source} ended after ${received} of ${size} bytes`);
    const digest = `sha256:${hash.digest('hex')}`;
    if (digest !== expected.digest) throw new RetryableError(`download from ${source} has digest ${digest}, expected ${expected.digest}`);
    const written = await open(temp, 'r');
    try {
      await written.sync();
    } finally {
      await written.close();
    }
    await rename(temp, file);
  } catch (error) {
    body.destroy();
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    if (error instanceof RetryableError || error instanceof NbprError) throw error;
    const e = error as NodeJS.ErrnoException;
    if (e.path === temp || e.path === file || e.path === dirname(file) || e.syscall === 'write' || e.syscall === 'fsync') {
      throw new NbprError(`cannot write ${basename(file)}: ${e.code ?? e.message}`, { code: 'oci/cannot-write-blob', where: dirname(file), hint: 'Check free space and permissions there.' });
    }
    throw new RetryableError(`download from ${source} broke off (${e.code ?? redactText(String(e.message))})`);
  } finally {
    clearTimeout(timer);
  }
}
