import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RetryableError } from './http';

/**
 * Streams a blob body to `file`, hashing as it goes: the file appears only once its sha256
 * and size match the descriptor, so nothing corrupt is ever left where a later run would
 * trust it. A body that stalls longer than `idleTimeoutMs` is abandoned for a retry.
 */
export async function downloadVerified(body: Readable, expected: { digest: string; size?: number }, file: string, idleTimeoutMs: number, source: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.download`);
  const hash = createHash('sha256');
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const watch = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      arm();
      callback(null, chunk);
    },
  });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => watch.destroy(new RetryableError(`download from ${source} stalled for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  };
  arm();
  try {
    await pipeline(body, watch, createWriteStream(temp));
    const digest = `sha256:${hash.digest('hex')}`;
    if (expected.size !== undefined && size !== expected.size) throw new RetryableError(`download from ${source} was ${size} bytes, expected ${expected.size}`);
    if (digest !== expected.digest) throw new RetryableError(`download from ${source} has digest ${digest}, expected ${expected.digest}`);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (!(error instanceof RetryableError) && (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || (error as Error).name === 'FetchError' || (error as Error).name === 'AbortError')) {
      throw new RetryableError(`download from ${source} broke off: ${(error as Error).message}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
