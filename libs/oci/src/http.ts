import { pipeline, Readable, Transform } from 'node:stream';
import fetch, { type Response } from 'node-fetch';
import { NbprError } from '@nbpr/model';
import { discardBody } from './body';
import { redactHeaders, redactText, redactUrl } from './redact';
import { retryAfterMs } from './retry-after';
import { isNetworkError, RetryableError, type RetryPolicy } from './retry';

export interface HttpOptions {
  retry: RetryPolicy;
  /**
   * Longest silence while a request is under way: no response headers, and no request body
   * bytes taken by the network, for this long. Measured from the last sign of progress, so an
   * upload that keeps moving on a slow link is never cut off.
   */
  headersTimeoutMs: number;
  /** Longest pause between two response body chunks. */
  idleTimeoutMs: number;
  /** Receives one line per request and response, credentials redacted (NBPR_DEBUG_HTTP=1). */
  debug?: (line: string) => void;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  retry: { attempts: 5, baseDelayMs: 250, maxDelayMs: 30_000 },
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
};

/** Fills in defaults; `NBPR_DEBUG_HTTP=1` turns request tracing on (to stderr). */
export function httpOptions(partial: Partial<HttpOptions> = {}, env: NodeJS.ProcessEnv = process.env): HttpOptions {
  const debug = partial.debug ?? (env.NBPR_DEBUG_HTTP && env.NBPR_DEBUG_HTTP !== '0' ? (line: string) => process.stderr.write(`nbpr http: ${line}\n`) : undefined);
  return { ...DEFAULT_HTTP_OPTIONS, ...partial, retry: { ...DEFAULT_HTTP_OPTIONS.retry, ...partial.retry }, debug };
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A body factory, so that a redirected or retried request can send its body again. */
  body?: () => Buffer | Readable;
}

const MAX_HOPS = 10;
/** Buffers above this are sent in slices, so that upload progress is seen and keeps the request alive. */
const SLICE = 256 << 10;
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * One HTTP exchange with a registry. Redirects are followed by hand, because fetch's own
 * following would carry Authorization to blob storage on another host: here it is dropped as
 * soon as the origin changes. A 403 from that other host is an expired pre-signed storage URL,
 * so the registry URL is asked again (once) for a fresh one. Network failures and timeouts
 * come out as RetryableErrors with redacted messages; statuses are the caller's to judge.
 */
export async function send(request: HttpRequest, options: HttpOptions): Promise<Response> {
  const origin = new URL(request.url);
  let url = origin;
  let method = request.method;
  let withBody = true;
  let askedAgain = false;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const sameOrigin = url.origin === origin.origin;
    const headers = without(request.headers ?? {}, [...(sameOrigin ? [] : ['authorization']), ...(withBody ? [] : ['content-length', 'content-type'])]);
    const response = await exchange(url, method, headers, withBody ? request.body : undefined, options);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location && response.status !== 304) {
      discardBody(response);
      url = new URL(location, url);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        withBody = false;
      }
      continue;
    }
    if (response.status === 403 && !sameOrigin) {
      discardBody(response);
      if (askedAgain) throw new RetryableError(`storage URL refused (HTTP 403) at ${redactUrl(url)}`, undefined, 403);
      // An expired pre-signed storage URL: the registry hands out a fresh one when asked again.
      askedAgain = true;
      url = origin;
      method = request.method;
      withBody = true;
      continue;
    }
    return response;
  }
  throw new NbprError(`more than ${MAX_HOPS} redirects`, { code: 'oci/redirect-loop', where: redactUrl(request.url), hint: 'The registry (or a proxy in front of it) redirects in a loop; check the registry address.' });
}

async function exchange(url: URL, method: string, headers: Record<string, string>, body: HttpRequest['body'], options: HttpOptions): Promise<Response> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), options.headersTimeoutMs);
  };
  const payload = body ? withProgress(body(), touch, headers) : undefined;
  options.debug?.(`> ${method} ${redactUrl(url)} ${JSON.stringify(redactHeaders(headers))}`);
  touch();
  try {
    // compress: false, so that blob bytes arrive exactly as stored (their digest is over them).
    const response = await fetch(url.href, { method, headers, body: payload, redirect: 'manual', compress: false, signal: controller.signal as never });
    options.debug?.(`< ${response.status} ${redactUrl(url)} ${JSON.stringify(debugResponseHeaders(response, url))}`);
    return response;
  } catch (error) {
    if (controller.signal.aborted) throw new RetryableError(`no response from ${redactUrl(url)} within ${options.headersTimeoutMs} ms`);
    if (isNetworkError(error)) throw new RetryableError(`${method} ${redactUrl(url)}: ${redactText((error as Error).message.replace(/^request to \S+ failed, reason: /, ''))}`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The request body, re-arming the timeout each time the network takes another slice. */
function withProgress(body: Buffer | Readable, touch: () => void, headers: Record<string, string>): Buffer | Readable {
  if (Buffer.isBuffer(body)) {
    if (body.length <= SLICE) return body;
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['Content-Length'] = String(body.length);
    return Readable.from(
      (function* () {
        for (let offset = 0; offset < body.length; offset += SLICE) {
          touch();
          yield body.subarray(offset, offset + SLICE);
        }
      })(),
      { objectMode: false },
    );
  }
  const progress = new Transform({
    transform(chunk, _encoding, callback) {
      touch();
      callback(null, chunk);
    },
  });
  // pipeline, not pipe: an aborted request must close the file being sent too.
  return pipeline(body, progress, () => undefined);
}

function without(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

function debugResponseHeaders(response: Response, url: URL): Record<string, string> {
  const headers = redactHeaders([...response.headers.entries()] as Array<[string, string]>);
  // A Location may be a pre-signed storage URL: its query is a credential.
  if (headers.location) headers.location = redactUrl(new URL(headers.location, url));
  return headers;
}

/** A RetryableError for a response whose status says "try again" (with its Retry-After), else undefined. */
export function retryableStatus(response: Response, url: string): RetryableError | undefined {
  if (!RETRYABLE_STATUS.has(response.status)) return undefined;
  discardBody(response);
  return new RetryableError(`HTTP ${response.status} from ${redactUrl(url)}`, retryAfterMs(response.headers.get('retry-after')), response.status);
}
