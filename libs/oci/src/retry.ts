import { NbprError } from '@nbpr/model';
import { redactText } from './redact';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first backoff; each further one doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  /** No wait is longer, not even one a Retry-After asks for: a run should fail rather than hang. */
  maxDelayMs: number;
  /**
   * The whole operation's budget: no attempt starts and no wait is begun that would end after
   * it, so a stalled or refusing registry costs at most this long (default 2 minutes,
   * NBPR_FETCH_DEADLINE_MS).
   */
  deadlineMs?: number;
  /** How to wait between attempts (tests observe the waits instead of spending them). */
  sleep?: (ms: number) => Promise<void>;
  /** The clock (tests run one of their own). */
  now?: () => number;
}

/** NBPR_FETCH_DEADLINE_MS, else 2 minutes. */
export function defaultDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.NBPR_FETCH_DEADLINE_MS);
  return Number.isSafeInteger(configured) && configured > 0 ? configured : 120_000;
}

/**
 * A transient failure: worth another attempt. Its message is shown to users when attempts
 * run out, so it is built from redacted URLs only.
 */
export class RetryableError extends Error {
  constructor(
    message: string,
    /** What the server asked for (Retry-After), in ms; otherwise the policy's backoff. */
    readonly waitMs?: number,
    /** The status that made it, if any: the final error names it. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/** A failure of the network rather than of the request: node-fetch's FetchError, aborts, socket errors. */
export function isNetworkError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; type?: string } | undefined;
  if (!e) return false;
  return e.name === 'FetchError' || e.name === 'AbortError' || e.type === 'system' || NETWORK_CODES.has(e.code ?? '');
}

export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  // "Equal jitter": at least half the exponential step, so that retries do spread out but
  // never come back immediately.
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return step / 2 + random() * (step / 2);
}

/**
 * Runs `attempt` until it succeeds, fails with something not worth retrying (an NbprError, a
 * bug), or attempts run out; then the error says what failed where, the last reason (with
 * the status when there was one) and what to do. Network errors from lower layers are never
 * passed through as they are: node-fetch's name the full URL, signed query included.
 */
export async function withRetries<T>(policy: RetryPolicy, what: string, where: string, attempt: (n: number) => Promise<T>): Promise<T> {
  let last: RetryableError | undefined;
  const now = policy.now ?? Date.now;
  const started = now();
  const deadline = started + (policy.deadlineMs ?? defaultDeadlineMs());
  let made = 0;
  let outOfTime = false;
  for (let n = 1; n <= policy.attempts; n++) {
    try {
      made = n;
      return await attempt(n);
    } catch (error) {
      if (error instanceof RetryableError) last = error;
      else if (isNetworkError(error)) last = new RetryableError(`network error: ${redactText((error as Error).message)}`);
      else throw error;
      if (n === policy.attempts) break;
      const wait = last.waitMs !== undefined ? Math.min(last.waitMs, policy.maxDelayMs) : backoffMs(policy, n);
      if (now() + wait >= deadline) {
        outOfTime = true;
        break;
      }
      await (policy.sleep ?? sleep)(wait);
    }
  }
  const status = last?.status;
  const spent = `${made} attempt${made === 1 ? '' : 's'}${outOfTime ? ` in ${Math.round((now() - started) / 1000)} s (the deadline is ${Math.round((deadline - started) / 1000)} s, NBPR_FETCH_DEADLINE_MS)` : ''}`;
  throw new NbprError(`${what} failed after ${spent}: ${last?.message ?? 'unknown error'}`, {
    code: 'oci/request-failed',
    where,
    hint:
      status === 429
        ? 'The registry is rate-limiting this client: wait a while and run again, or set credentials (NBPR_REGISTRY_USERNAME/NBPR_REGISTRY_TOKEN, GITHUB_TOKEN for ghcr.io), which get higher limits.'
        : 'The registry or the network is failing: try again later, check the registry address and your connection, or list another site (nx.json plugin option sites).',
    cause: last,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
