import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NbprError } from '@nbpr/model';
import { RetryableError, withRetries } from '../src/retry';

// A whole fetch has a deadline: a registry that keeps answering 503 with a long Retry-After, or
// a body that stalls on every attempt, costs at most the deadline (2 minutes by default), and
// the error says what stalled and how long was spent.

function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => (t += ms) };
}

test('a persistent 503 with Retry-After 100 gives up within the deadline, saying so', async () => {
  const c = clock();
  const policy = { attempts: 10, baseDelayMs: 250, maxDelayMs: 30_000, deadlineMs: 120_000, now: c.now, sleep: c.sleep };
  await assert.rejects(
    withRetries(policy, 'GET manifest', 'reg/x:tag', async () => {
      throw new RetryableError('HTTP 503 from http://reg/v2/x/manifests/tag', 100_000, 503);
    }),
    (e: unknown) => e instanceof NbprError && /GET manifest failed after 4 attempts in 90 s \(the deadline is 120 s, NBPR_FETCH_DEADLINE_MS\): HTTP 503/.test(e.message),
  );
  assert.ok(c.now() < 120_000);
});

test('a body that stalls on every attempt is given up once the next attempt would pass the deadline', async () => {
  const c = clock();
  const policy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 30_000, deadlineMs: 120_000, now: c.now, sleep: c.sleep };
  await assert.rejects(
    withRetries(policy, 'download of sha256:abc', 'reg/x', async () => {
      c.advance(60_000);
      throw new RetryableError('the body stalled for 60 s');
    }),
    (e: unknown) => e instanceof NbprError && /download of sha256:abc failed after 2 attempts in 120 s .*: the body stalled for 60 s/.test(e.message),
  );
});
