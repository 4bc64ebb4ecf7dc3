import fetch, { type RequestInit, type Response } from 'node-fetch';
import { NbprError } from '@nbpr/model';
import { redactUrl } from './redact';
import { retryAfterMs } from './retry-after';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How to wait between attempts (tests observe the waits instead of spending them). */
  sleep?: (ms: number) => Promise<void>;
}

export interface HttpOptions {
  retry: RetryPolicy;
  /** Time to wait for response headers. */
  headersTimeoutMs: number;
  /** Longest pause between two body chunks. */
  idleTimeoutMs: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  retry: { attempts: 5, baseDelayMs: 250, maxDelayMs: 30_000 },
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
};

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A body factory, so that a retried request can send its body again. */
  body?: () => NonNullable<RequestInit['body']>;
}

/** A transient failure: worth another attempt. */
export class RetryableError extends Error {
  constructor(message: string, readonly waitMs?: number) {
    super(message);
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * One HTTP exchange with the registry: redirects followed by hand (Authorization dropped when
 * the host changes, and a 403 from the redirected storage URL answered by asking the
 * registry again), and a timeout on the response headers. Body timeouts are the reader's.
 */
export async function send(request: HttpRequest, options: HttpOptions): Promise<Response> {
  const origin = new URL(request.url);
  let url = origin;
  let headers = { ...(request.headers ?? {}) };
  for (let hop = 0; hop < 10; hop++) {
    const response = await withTimeout(options.headersTimeoutMs, url, (signal) =>
      fetch(url.href, { method: request.method, headers, body: request.body?.(), redirect: 'manual', signal }),
    );
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      response.body?.resume();
      const next = new URL(response.headers.get('location')!, url);
      if (next.host !== origin.host) {
        // Never hand the registry's credentials to another host (blob storage, CDN).
        const { Authorization: _a, authorization: _b, ...rest } = headers;
        headers = rest;
      }
      url = next;
      continue;
    }
    if (response.status === 403 && url.host !== origin.host) {
      // An expired pre-signed storage URL: the registry gives a fresh one when asked again.
      response.body?.resume();
      throw new RetryableError(`storage URL refused (403) for ${redactUrl(url)}`);
    }
    return response;
  }
  throw new NbprError('too many redirects', { where: redactUrl(request.url) });
}

/** Runs `attempt` until it succeeds, a non-retryable error occurs, or attempts run out. */
export async function withRetries<T>(policy: RetryPolicy, what: string, attempt: (n: number) => Promise<T>): Promise<T> {
  let last: unknown;
  for (let n = 1; n <= policy.attempts; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof RetryableError) && !isNetworkError(error)) throw error;
      last = error;
      if (n === policy.attempts) break;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      const wait = error instanceof RetryableError && error.waitMs !== undefined ? Math.min(error.waitMs, policy.maxDelayMs) : backoff / 2 + Math.random() * (backoff / 2);
      await (policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(wait);
    }
  }
  throw new NbprError(`${what} failed after ${policy.attempts} attempts: ${(last as Error).message}`, {
    hint: 'The registry or the network is failing; try again later, or use another site (nx.json plugin option sites).',
    cause: last,
  });
}

/** A retryable error for a response whose status says "try again", else undefined. */
export function retryableStatus(response: Response, url: string): RetryableError | undefined {
  if (!RETRYABLE_STATUS.has(response.status)) return undefined;
  response.body?.resume();
  return new RetryableError(`HTTP ${response.status} from ${redactUrl(url)}`, retryAfterMs(response.headers.get('retry-after')));
}

export function isNetworkError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; type?: string };
  return e?.name === 'FetchError' || e?.name === 'AbortError' || e?.type === 'system' || ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE'].includes(e?.code ?? '');
}

async function withTimeout<T>(ms: number, url: URL, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await fn(controller.signal as never);
  } catch (error) {
    if (controller.signal.aborted) throw new RetryableError(`no response from ${redactUrl(url)} within ${ms} ms`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
