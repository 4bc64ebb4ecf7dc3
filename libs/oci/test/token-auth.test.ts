import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryRepository } from '../src';
import { startRegistry } from '../../../test/support/registry';
import { startTokenServer } from '../../../test/support/token-server';
import { tempDir } from '../../../test/support/temp';
import { everythingShown, fast, pushArtefact, secretForms, sha } from './helpers';

const credentials = { username: 'nbpr-ci', password: 'ghp_not-a-real-token-1234' };

async function tokenRegistry(expiresIn?: number) {
  const tokens = await startTokenServer(credentials, { expiresIn });
  const registry = await startRegistry({ token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certPem } });
  return { tokens, registry };
}

test('GHCR-like token auth: push with credentials exchanged for a pull,push token, anonymous pull with a pull token', async () => {
  const { tokens, registry } = await tokenRegistry();
  const pusher = new RegistryRepository(registry.host, 'nbpr/jq', { ...fast, credentials });
  await pusher.ping();
  assert.deepEqual(tokens.requests, [{ scope: 'repository:nbpr/jq:pull', authorized: true }], '/v2/ answered with a challenge, met before any other request');
  const pushed = await pushArtefact(pusher, 'v1', randomBytes(4096));
  assert.ok(tokens.requests.some((r) => r.authorized && r.scope === 'repository:nbpr/jq:pull,push'), 'the push scope is built by the client');

  tokens.requests.length = 0;
  const anonymous = new RegistryRepository(registry.host, 'nbpr/jq', fast);
  assert.equal((await anonymous.resolveTag('v1'))?.digest, pushed.digest);
  assert.equal(await anonymous.resolveTag('v2'), null);
  assert.deepEqual((await anonymous.getManifest('v1')).bytes, pushed.manifest);
  assert.deepEqual(await anonymous.getBlobBytes({ digest: sha(pushed.config), size: pushed.config.length }), pushed.config);
  const file = join(tempDir(), 'layer');
  await anonymous.fetchBlob({ digest: sha(pushed.layer), size: pushed.layer.length }, file);
  assert.deepEqual(readFileSync(file), pushed.layer);
  assert.deepEqual(await anonymous.listTags(), ['v1']);
  assert.deepEqual(tokens.requests, [{ scope: 'repository:nbpr/jq:pull', authorized: false }], 'one anonymous pull token, cached for every later request');
});

test('token auth: anonymous push and wrong credentials are refused clearly, and no secret is ever shown', async () => {
  const { registry } = await tokenRegistry();
  const other = randomBytes(100);
  const anonymous = new RegistryRepository(registry.host, 'nbpr/jq', fast);
  await assert.rejects(anonymous.pushBlob({ bytes: other }, sha(other), other.length), (e: Error & { format(): string }) => {
    assert.match(e.format(), /refused anonymous access \(HTTP 401\)/);
    assert.match(e.format(), /Pushing needs credentials with write access: set NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN/);
    return true;
  });

  const wrong = { username: 'nbpr-ci', password: 'ghp_wrong-secret-5678' };
  const intruder = new RegistryRepository(registry.host, 'nbpr/jq', { ...fast, credentials: wrong });
  for (const attempt of [() => intruder.pushBlob({ bytes: other }, sha(other), other.length), () => intruder.listTags(), () => intruder.ping()]) {
    await assert.rejects(attempt(), (e: unknown) => {
      const shown = everythingShown(e);
      assert.match(shown, /token service refused the credentials/);
      assert.match(shown, /http:\/\/127\.0\.0\.1:\d+\/token\?…/, 'the token URL is named, without its query');
      assert.doesNotMatch(shown, secretForms(wrong.username, wrong.password));
      assert.doesNotMatch(shown, secretForms(credentials.username, credentials.password));
      return true;
    });
  }
});

test('a token is used until shortly before it expires, then a new one is fetched', async () => {
  const { tokens, registry } = await tokenRegistry(2);
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', fast);
  assert.deepEqual(await repo.listTags(), []);
  assert.deepEqual(await repo.listTags(), []);
  assert.equal(tokens.requests.length, 1, 'cached');
  // A 2 s token is retired after 1 s: half its life, as it is short.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.deepEqual(await repo.listTags(), []);
  assert.equal(tokens.requests.length, 2, 'fetched again once near expiry');
});
