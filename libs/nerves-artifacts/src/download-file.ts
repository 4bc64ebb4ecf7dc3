import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import fetch from 'node-fetch';
import { NbprError, withLockFile } from '@nbpr/model';

/** Idle time after which a download that sends nothing is given up (and resumed, while attempts remain). */
const IDLE_MS = 60_000;
/** Transfers tried per URL: each one after the first resumes where the last one broke. */
const ATTEMPTS = 4;

/** A URL that answered with a status no retry can change (404, 403...). */
class RefusedError extends Error {}

/**
 * The name a download is written under until it is whole. It is kept when a transfer breaks,
 * so that the next attempt, or the next run, asks only for the rest (HTTP Range).
 */
export function partialName(file: string): string {
  return `${file}.partial`;
}

/**
 * Downloads `url` into `file`, resuming a broken transfer from the bytes already written
 * (`<file>.partial`, with `Range: bytes=<n>-`; a server that ignores the range sends it all
 * again). Only a whole body is renamed to `file`; returns its sha256 (hex), which the caller
 * verifies before trusting it. Callers hold a lock on `file`: one writer per partial.
 */
export async function downloadResumable(url: string, file: string, options: { attempts?: number; idleMs?: number } = {}): Promise<{ sha256: string }> {
  await mkdir(dirname(file), { recursive: true });
  const partial = partialName(file);
  const attempts = options.attempts ?? ATTEMPTS;
  const idleMs = options.idleMs ?? IDLE_MS;
  let lastError = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const have = await sizeOf(partial);
    const controller = new AbortController();
    let timer = setTimeout(() => controller.abort(), idleMs);
    try {
      const response = await fetch(url, { signal: controller.signal as never, redirect: 'follow', headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
      if (response.status === 416 && have > 0) {
        // The partial is as long as the file or longer (the file changed): start again.
        await rm(partial, { force: true });
        lastError = 'HTTP 416';
        continue;
      }
      if (response.status === 404 || response.status === 410 || response.status === 401 || response.status === 403) throw new RefusedError(`HTTP ${response.status}`);
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      const resumed = response.status === 206 && contentRangeStart(response.headers.get('content-range')) === have;
      const expected = Number(response.headers.get('content-length') ?? NaN);
      let written = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          clearTimeout(timer);
          timer = setTimeout(() => controller.abort(), idleMs);
          written += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(response.body, tap, createWriteStream(partial, { flags: resumed ? 'a' : 'w' }));
      if (Number.isFinite(expected) && written !== expected) throw new Error(`the body ended after ${written} of ${expected} bytes`);
      const sha256 = await sha256OfFile(partial);
      await rename(partial, file);
      return { sha256 };
    } catch (error) {
      if (error instanceof RefusedError) throw error;
      lastError = controller.signal.aborted ? `nothing received for ${Math.round(idleMs / 1000)} s` : (error as Error).message;
    } finally {
      clearTimeout(timer);
    }
  }
  throw new Error(`${lastError} (${attempts} attempts; ${await sizeOf(partial)} bytes kept in ${partial} for the next run)`);
}

/**
 * Downloads the first of `urls` that answers into `file` (each resumable, see downloadResumable),
 * holding `<file>.lock` so that concurrent runs download it once: returns the sha256 (hex) and
 * the URL it came from (none when another run had downloaded it). Nothing is left at `file`
 * unless the whole body arrived; the caller verifies the hash before trusting it.
 */
export async function downloadFirst(urls: string[], file: string, what: string): Promise<{ sha256: string; url?: string }> {
  await mkdir(dirname(file), { recursive: true });
  return withLockFile(`${file}.lock`, async () => {
    if (existsSync(file)) return { sha256: await sha256OfFile(file) };
    return downloadFirstUnlocked(urls, file, what);
  });
}

async function downloadFirstUnlocked(urls: string[], file: string, what: string): Promise<{ sha256: string; url: string }> {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      return { ...(await downloadResumable(url, file)), url };
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new NbprError(`could not download ${what}`, {
    code: 'download/failed',
    where: failures.join('; '),
    hint: `Download it on a machine with network access and put it at ${file}.`,
  });
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function contentRangeStart(header: string | null): number | undefined {
  const m = header?.match(/^bytes (\d+)-\d+\/(\d+|\*)$/);
  return m ? Number(m[1]) : undefined;
}
