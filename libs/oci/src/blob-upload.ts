import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Response } from 'node-fetch';
import { NbprError } from '@nbpr/model';
import type { Access } from './authenticator';
import { discardBody } from './body';
import type { HttpRequest } from './http';
import { redactUrl } from './redact';
import { unexpectedStatus } from './status-error';

/** What to upload: a file (streamed, never read whole) or bytes in memory. */
export type BlobSource = { file: string } | { bytes: Buffer };

/** One authorized request; transient statuses come back as thrown RetryableErrors. */
export type Exchange = (request: HttpRequest, access: Access, what: string) => Promise<Response>;

export interface UploadOptions {
  /** Blobs larger than this go up in chunks. */
  chunkThreshold: number;
  chunkSize: number;
  idleTimeoutMs: number;
}

/**
 * One attempt at uploading a blob, as the distribution spec's push section has it: POST opens
 * an upload session; a blob up to `chunkThreshold` is then sent whole with PUT ?digest=
 * (monolithic); a larger one is sent in PATCHes with Content-Range, each to the Location the
 * previous answer gave, and closed with an empty PUT ?digest=. The registry checks the digest;
 * a mismatch is its 400 DIGEST_INVALID, reported as is. Retrying is the caller's (a session
 * that failed half-way is simply abandoned: resuming is not worth its complexity here).
 */
export async function uploadBlob(exchange: Exchange, uploadsUrl: string, blob: BlobSource, digest: string, size: number, options: UploadOptions): Promise<void> {
  const what = `upload of ${digest}`;
  const start = await exchange({ method: 'POST', url: uploadsUrl, headers: { 'Content-Length': '0' } }, 'pull,push', what);
  if (start.status !== 202) throw await unexpectedStatus(start, uploadsUrl, `${what} (POST)`, options.idleTimeoutMs);
  discardBody(start);
  let location = nextLocation(start, uploadsUrl);
  if (size > options.chunkThreshold) {
    for (let offset = 0; offset < size; offset += options.chunkSize) {
      const end = Math.min(size, offset + options.chunkSize) - 1;
      const patch = await exchange(
        {
          method: 'PATCH',
          url: location,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(end - offset + 1), 'Content-Range': `${offset}-${end}` },
          body: () => slice(blob, offset, end),
        },
        'pull,push',
        what,
      );
      if (patch.status !== 202) throw await unexpectedStatus(patch, location, `${what} (PATCH ${offset}-${end})`, options.idleTimeoutMs);
      discardBody(patch);
      location = nextLocation(patch, location);
    }
    const done = await exchange({ method: 'PUT', url: withDigest(location, digest), headers: { 'Content-Length': '0' } }, 'pull,push', what);
    await expectCreated(done, location, digest, what, options);
    return;
  }
  const put = await exchange(
    { method: 'PUT', url: withDigest(location, digest), headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) }, body: () => slice(blob, 0, size - 1) },
    'pull,push',
    what,
  );
  await expectCreated(put, location, digest, what, options);
}

async function expectCreated(response: Response, url: string, digest: string, what: string, options: UploadOptions): Promise<void> {
  if (response.status !== 201) {
    throw await unexpectedStatus(response, url, `${what} (PUT)`, options.idleTimeoutMs, response.status === 400 ? 'The content did not match its digest or size: was the file changed while it was uploaded?' : undefined);
  }
  discardBody(response);
  const stored = response.headers.get('docker-content-digest');
  if (stored && stored !== digest) throw new NbprError(`${what}: the registry stored it as ${stored}`, { code: 'oci/digest-rewritten', where: redactUrl(url), hint: 'The registry rewrote the content; NBPR needs registries that store blobs as they are sent.' });
}

/** Bytes first..last of the blob, as a fresh body each time (a retried request sends it again). */
function slice(blob: BlobSource, first: number, last: number): Buffer | Readable {
  if ('bytes' in blob) return blob.bytes.subarray(first, last + 1);
  if (last < first) return Buffer.alloc(0);
  return createReadStream(blob.file, { start: first, end: last, highWaterMark: 1 << 20 });
}

/** The upload session URL: Location is required and may be relative. */
function nextLocation(response: Response, base: string): string {
  const location = response.headers.get('location');
  if (!location) throw new NbprError('the registry went on with an upload without saying where (no Location)', { code: 'oci/bad-response', where: redactUrl(base) });
  return new URL(location, base).href;
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.href;
}
