import type { Readable } from 'node:stream';
import type { Response } from 'node-fetch';
import { NbprError } from '@nbpr/model';
import { redactText, redactUrl } from './redact';
import { RetryableError } from './retry';

/**
 * Reads a whole (small) response body: manifests, tokens, tag lists, error documents. A body
 * that stalls longer than `idleTimeoutMs` is abandoned for a retry (the headers timeout no
 * longer runs once headers are in), and one larger than `limit` is refused rather than held
 * in memory: a registry has no business sending a 100 MB manifest.
 */
export async function readBody(response: Response, options: { idleTimeoutMs: number; limit: number; url: string }): Promise<Buffer> {
  const body = response.body as unknown as Readable | null;
  if (!body) return Buffer.alloc(0);
  const tooLarge = () =>
    new NbprError(`the response is larger than ${options.limit} bytes`, { code: 'oci/response-too-large', where: redactUrl(options.url), hint: 'This is not what an OCI registry sends here; check the registry address.' });
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > options.limit) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => body.destroy(new RetryableError(`the response from ${redactUrl(options.url)} stalled for ${options.idleTimeoutMs} ms`)), options.idleTimeoutMs);
  };
  arm();
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > options.limit) {
        body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
      arm();
    }
  } catch (error) {
    if (error instanceof NbprError || error instanceof RetryableError) throw error;
    throw new RetryableError(`the response from ${redactUrl(options.url)} broke off`);
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks, size);
}

/** Drops a body nobody will read, so that its connection can be reused (or closed). */
export function discardBody(response: Response): void {
  (response.body as unknown as Readable | null)?.resume();
}

/**
 * The registry's own words for a failure, from the spec's error document
 * `{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"..."}]}`; empty when there is none.
 * Never throws: it only adds detail to an error already being made.
 */
export async function registryErrorDetail(response: Response, url: string, idleTimeoutMs: number): Promise<string> {
  if (response.status === 204 || response.headers.get('content-length') === '0') {
    discardBody(response);
    return '';
  }
  try {
    const text = (await readBody(response, { idleTimeoutMs: Math.min(idleTimeoutMs, 5000), limit: 64 << 10, url })).toString('utf8');
    const errors = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors ?? [];
    return redactText(
      errors
        .map((e) => [e.code, e.message].filter(Boolean).join(': '))
        .filter(Boolean)
        .join('; '),
    );
  } catch {
    return '';
  }
}
