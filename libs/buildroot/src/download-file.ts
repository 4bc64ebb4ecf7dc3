import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import fetch from 'node-fetch';
import { NbprError } from '@nbpr/model';

/** Idle time after which a download that sends nothing is given up. */
const IDLE_MS = 60_000;

/**
 * Downloads the first of `urls` that answers into `file` through a temporary sibling, hashing
 * while it writes: returns the sha256 (hex) and the URL it came from. Nothing is left at `file`
 * unless the whole body arrived; the caller verifies the hash before trusting it.
 */
export async function downloadFirst(urls: string[], file: string, what: string): Promise<{ sha256: string; url: string }> {
  await mkdir(dirname(file), { recursive: true });
  const failures: string[] = [];
  for (const url of urls) {
    const temp = `${file}.${process.pid}.download`;
    const controller = new AbortController();
    let timer = setTimeout(() => controller.abort(), IDLE_MS);
    try {
      const response = await fetch(url, { signal: controller.signal as never, redirect: 'follow' });
      if (!response.ok || !response.body) {
        failures.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const hash = createHash('sha256');
      const tap = new Transform({
        transform(chunk, _encoding, done) {
          clearTimeout(timer);
          timer = setTimeout(() => controller.abort(), IDLE_MS);
          hash.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(response.body, tap, createWriteStream(temp));
      await rename(temp, file);
      return { sha256: hash.digest('hex'), url };
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      await rm(temp, { force: true });
    }
  }
  throw new NbprError(`could not download ${what}`, {
    where: failures.join('; '),
    hint: `Download it on a machine with network access and put it at ${file}.`,
  });
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
