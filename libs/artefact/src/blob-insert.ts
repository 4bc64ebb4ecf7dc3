import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { NbprError } from '@nbpr/model';

export interface InsertedBlob {
  digest: string;
  size: number;
}

/**
 * Puts a blob into a content-addressed directory (`<dir>/<hex>`): streamed into a temporary
 * sibling while hashed, compared with `expectedDigest` when given, then renamed to its own
 * digest. A reader of `<dir>/<hex>` only ever sees a whole blob with that digest. With
 * `move`, a file source is hashed in place and renamed, not copied, when it is on the same
 * filesystem.
 */
export async function insertBlob(dir: string, source: string | Readable, options: { expectedDigest?: string; move?: boolean } = {}): Promise<InsertedBlob> {
  if (typeof source === 'string' && options.move) {
    const { digest, size } = await hashStream(createReadStream(source, { highWaterMark: 1 << 20 }));
    check(digest, options.expectedDigest, source);
    try {
      await rename(source, join(dir, hex(digest)));
      return { digest, size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      const copied = await insertBlob(dir, source, { expectedDigest: digest });
      await unlink(source);
      return copied;
    }
  }
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  const temp = join(dir, `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    const { digest, size } = await hashStream(stream, async (chunk) => {
      let offset = 0;
      while (offset < chunk.length) offset += (await handle.write(chunk, offset)).bytesWritten;
    });
    await handle.close();
    check(digest, options.expectedDigest, typeof source === 'string' ? source : 'the stream');
    await rename(temp, join(dir, hex(digest)));
    return { digest, size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

async function hashStream(stream: Readable, sink?: (chunk: Buffer) => Promise<void>): Promise<InsertedBlob> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (sink) await sink(chunk);
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function check(digest: string, expected: string | undefined, where: string): void {
  if (expected && digest !== expected) throw new NbprError(`blob digest mismatch: expected ${expected}, got ${digest}`, { code: 'store/digest-mismatch', where, hint: 'The blob is corrupt or not the one asked for; it was not stored.' });
}

/** The hex of a 'sha256:<hex>' digest; anything else is refused (it becomes a file name). */
export function hex(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new NbprError(`not a sha256 digest: ${JSON.stringify(digest)}`, { code: 'oci/invalid-digest', hint: "Digests are written 'sha256:' and 64 lowercase hex digits." });
  return m[1];
}
