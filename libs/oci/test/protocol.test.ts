import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge, parseChallenges } from '../src/challenge';
import { nextPage } from '../src/link';
import { redactHeaders, redactText, redactUrl } from '../src/redact';
import { backoffMs } from '../src/retry';
import { retryAfterMs } from '../src/retry-after';

test('Bearer challenges are parsed with quoted values holding commas', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push"'), {
    scheme: 'bearer',
    params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull,push' },
  });
  assert.deepEqual(parseChallenge('bearer realm=http://127.0.0.1:1/token, service=reg, error="insufficient_scope"')?.params, { realm: 'http://127.0.0.1:1/token', service: 'reg', error: 'insufficient_scope' });
  assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), { scheme: 'basic', params: { realm: 'Registry Realm' } });
});

test('of several challenges in one header, Bearer is preferred and unknown schemes are skipped', () => {
  assert.equal(parseChallenges('Basic realm="a", Bearer realm="https://t/token",service="s"').length, 2);
  assert.equal(parseChallenge('Basic realm="a", Bearer realm="https://t/token",service="s"')?.scheme, 'bearer');
  assert.equal(parseChallenge('Negotiate, Basic realm="x"')?.scheme, 'basic');
  assert.equal(parseChallenge('Negotiate'), undefined);
  assert.equal(parseChallenge(null), undefined);
});

test('Retry-After is read as seconds, as milliseconds above 1000 (GHCR), or as an HTTP date', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs('0'), 0);
  assert.equal(retryAfterMs('1000'), 1_000_000, '1000 is still seconds');
  assert.equal(retryAfterMs('2500'), 2500);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs(new Date(1_000).toUTCString(), 4_000), 0, 'a date in the past means now');
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs('soon'), undefined);
});

test('backoff doubles per attempt with jitter in its upper half, and is capped', () => {
  const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffMs(policy, 1, () => 0), 50);
  assert.equal(backoffMs(policy, 1, () => 1), 100);
  assert.equal(backoffMs(policy, 3, () => 1), 400);
  assert.equal(backoffMs(policy, 9, () => 1), 1000);
});

test('the next page of a tag listing comes from the Link header, on the same origin only', () => {
  const page = 'http://127.0.0.1:5000/v2/a/tags/list?n=2';
  assert.equal(nextPage('</v2/a/tags/list?n=2&last=b>; rel="next"', page), 'http://127.0.0.1:5000/v2/a/tags/list?n=2&last=b');
  assert.equal(nextPage('<http://127.0.0.1:5000/v2/a/tags/list?last=b>;rel=next', page), 'http://127.0.0.1:5000/v2/a/tags/list?last=b');
  assert.equal(nextPage('</x>; rel="prev", </y>; rel="next"', page), 'http://127.0.0.1:5000/y');
  assert.equal(nextPage('<http://evil.example/v2/a/tags/list>; rel="next"', page), undefined);
  assert.equal(nextPage(null, page), undefined);
});

test('redaction hides user info, queries and Authorization values', () => {
  assert.equal(redactUrl('https://u:p@s3.example/blob?X-Amz-Signature=abc'), 'https://s3.example/blob?…');
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer eyJabc.def', Accept: 'x' }), { Authorization: 'Bearer <redacted>', Accept: 'x' });
  assert.deepEqual(redactHeaders([['authorization', 'Basic dTpw']]), { authorization: 'Basic <redacted>' });
  const text = redactText('request to http://127.0.0.2:9/b?sig=s3cr3t failed, reason: socket hang up; Authorization: Basic dTpwYXNz');
  assert.equal(text, 'request to http://127.0.0.2:9/b?… failed, reason: socket hang up; Authorization: Basic <redacted>');
});
