import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { RegistryRepository } from '../src';
import { startRegistry } from '../../../test/support/registry';
import { startTokenServer } from '../../../test/support/token-server';

const fast = { http: { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 } } };
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const credentials = { username: 'nbpr-ci', password: 'ghp_not-a-real-token-1234' };

test('GHCR-like token auth: anonymous pull, push only with credentials exchanged for a token, secrets never shown', async () => {
  const tokens = await startTokenServer(credentials);
  const registry = await startRegistry({ token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certPem } });
  const pusher = new RegistryRepository(registry.host, 'nbpr/jq', { ...fast, credentials });
  await pusher.ping();
  assert.ok(tokens.requests.some((r) => r.scope === 'repository:nbpr/jq:pull'), '/v2/ answered with a challenge, met before any other request');
  const blob = randomBytes(4096);
  await pusher.pushBlob({ bytes: blob }, sha(blob), blob.length);
  assert.ok(tokens.requests.some((r) => r.authorized && r.scope === 'repository:nbpr/jq:pull,push'), 'the scope is built by the client');

  const anonymous = new RegistryRepository(registry.host, 'nbpr/jq', fast);
  assert.deepEqual(await anonymous.getBlobBytes({ digest: sha(blob), size: blob.length }), blob, 'anonymous pull works');
  assert.ok(tokens.requests.some((r) => !r.authorized && r.scope === 'repository:nbpr/jq:pull'));

  const other = randomBytes(100);
  await assert.rejects(anonymous.pushBlob({ bytes: other }, sha(other), other.length), (e: Error & { format(): string }) => {
    assert.match(e.format(), /refused access/);
    assert.match(e.format(), /NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN/);
    return true;
  });

  const wrong = new RegistryRepository(registry.host, 'nbpr/jq', { ...fast, credentials: { username: 'nbpr-ci', password: 'ghp_wrong-secret-5678' } });
  await assert.rejects(wrong.pushBlob({ bytes: other }, sha(other), other.length), (e: Error & { format(): string }) => {
    const text = `${e.format()}\n${e.message}\n${e.stack}`;
    assert.match(text, /token service refused the credentials/);
    assert.doesNotMatch(text, /ghp_wrong-secret-5678|ghp_not-a-real-token-1234|bnBici1jaT/, 'no secret, not even base64-encoded');
    return true;
  });
});
