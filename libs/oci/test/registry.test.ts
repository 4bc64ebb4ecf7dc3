import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCI_MANIFEST, RegistryRepository } from '../src';
import { credentialsFor } from '../src/credentials';
import { startRegistry } from '../../../test/support/registry';
import { startFaultProxy } from '../../../test/support/fault-proxy';
import { tempDir } from '../../../test/support/temp';
import { artefact, everythingShown, fast, pushArtefact, secretForms, sha } from './helpers';

const registry = startRegistry();
const dir = tempDir();

test('pushes and pulls an artefact against a real registry: manifest bytes kept exactly, HEAD hit and miss', async () => {
  const { host } = await registry;
  const repo = new RegistryRepository(host, 'nbpr/nbpr-hello', fast);
  assert.equal(await repo.resolveTag('0.1.0-x'), null, 'HEAD miss on a tag');
  const a = artefact(randomBytes(100_000));
  assert.equal(await repo.hasBlob(sha(a.layer)), false, 'HEAD miss on a blob');
  const pushed = await pushArtefact(repo, '0.1.0-x', a.layer);
  assert.equal(pushed.digest, sha(a.manifest));
  assert.equal(await repo.hasBlob(sha(a.layer)), true, 'HEAD hit on a blob');
  assert.deepEqual(await repo.resolveTag('0.1.0-x'), { mediaType: OCI_MANIFEST, digest: pushed.digest, size: a.manifest.length }, 'HEAD hit on a tag');
  assert.deepEqual(await repo.getManifest('0.1.0-x'), { bytes: a.manifest, digest: pushed.digest, mediaType: OCI_MANIFEST });
  assert.deepEqual((await repo.getManifest(pushed.digest)).bytes, a.manifest, 'by digest too');
  assert.deepEqual(await repo.getBlobBytes({ digest: sha(a.config), size: a.config.length }), a.config);
  const file = join(dir, 'layer');
  await repo.fetchBlob({ digest: sha(a.layer), size: a.layer.length }, file);
  assert.deepEqual(readFileSync(file), a.layer);
  assert.deepEqual(readdirSync(dir), ['layer'], 'no temporary file is left beside it');
});

test('tags of several artefacts are listed; a repository not there has none', async () => {
  const { host } = await registry;
  const repo = new RegistryRepository(host, 'nbpr/tags', fast);
  assert.deepEqual(await repo.listTags(), []);
  const layer = randomBytes(100);
  for (const tag of ['v1', 'v2', 'v3']) await pushArtefact(repo, tag, layer);
  assert.deepEqual((await repo.listTags()).sort(), ['v1', 'v2', 'v3']);
});

test('a large blob goes up in PATCHed chunks, a small one in a single PUT, and one already there not at all', async () => {
  const { url } = await registry;
  const proxy = await startFaultProxy(url);
  const repo = new RegistryRepository(proxy.host, 'nbpr/big', { ...fast, chunkThreshold: 1 << 20, chunkSize: 256 << 10 });
  const big = randomBytes((1 << 20) + 12345);
  const file = join(tempDir(), 'big');
  writeFileSync(file, big);
  await repo.pushBlob({ file }, sha(big), big.length);
  assert.equal(proxy.seen.filter((s) => s.method === 'PATCH').length, 5, '1 MiB + 12345 bytes in 256 KiB chunks');
  const out = join(tempDir(), 'big-out');
  await repo.fetchBlob({ digest: sha(big), size: big.length }, out);
  assert.deepEqual(readFileSync(out), big);

  proxy.seen.length = 0;
  const small = randomBytes(1000);
  await repo.pushBlob({ bytes: small }, sha(small), small.length);
  assert.deepEqual(proxy.seen.map((s) => s.method), ['HEAD', 'POST', 'PUT'], 'monolithic: POST then PUT ?digest=');

  proxy.seen.length = 0;
  await repo.pushBlob({ bytes: small }, sha(small), small.length);
  await repo.pushBlob({ file }, sha(big), big.length);
  assert.deepEqual(proxy.seen.map((s) => s.method), ['HEAD', 'HEAD'], 'blobs the registry has are not uploaded again');
});

test('a blob that does not match its descriptor is never left on disk', async () => {
  const { host } = await registry;
  const repo = new RegistryRepository(host, 'nbpr/wrong', fast);
  const content = randomBytes(1000);
  await repo.pushBlob({ bytes: content }, sha(content), content.length);
  const target = tempDir();
  await assert.rejects(repo.fetchBlob({ digest: sha(content), size: content.length + 1 }, join(target, 'blob')), /expected 1001/);
  await assert.rejects(repo.getBlobBytes({ digest: sha(content), size: content.length - 1 }), /failed after 2 attempts/);
  assert.deepEqual(readdirSync(target), []);
});

test("the registry's own error code is shown when it refuses a manifest, and a changed file is refused before upload", async () => {
  const { host } = await registry;
  const repo = new RegistryRepository(host, 'nbpr/refused', fast);
  const a = artefact();
  await assert.rejects(repo.pushManifest('v1', a.manifest, OCI_MANIFEST), (e: Error & { format(): string }) => {
    assert.match(e.format(), /PUT 127\.0\.0\.1:\d+\/nbpr\/refused:v1: the registry answered HTTP 400/);
    assert.match(e.format(), /MANIFEST_BLOB_UNKNOWN/);
    assert.match(e.format(), /are all the blobs it names pushed/);
    return true;
  });
  const file = join(tempDir(), 'layer');
  writeFileSync(file, a.layer);
  await assert.rejects(repo.pushBlob({ file }, sha(a.layer), a.layer.length + 1), /is 5000 bytes, not the 5001/);
  await assert.rejects(repo.getManifest('v1'), /no manifest v1 in/);
});

test('with htpasswd Basic auth: anonymous access is refused clearly, credentials work and never show', async () => {
  const credentials = { username: 'ci', password: 's3cret-pass' };
  const basic = await startRegistry({ htpasswd: credentials });
  const anonymous = new RegistryRepository(basic.host, 'nbpr/private', fast);
  await assert.rejects(anonymous.listTags(), (e: Error & { format(): string }) => {
    assert.match(e.format(), /refused anonymous access \(HTTP 401\)/);
    assert.match(e.format(), /NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN/);
    return true;
  });
  const repo = new RegistryRepository(basic.host, 'nbpr/private', { ...fast, credentials });
  const pushed = await pushArtefact(repo, 'v1');
  assert.deepEqual(await repo.listTags(), ['v1']);
  assert.equal((await repo.resolveTag('v1'))?.digest, pushed.digest);
  assert.deepEqual((await repo.getManifest('v1')).bytes, pushed.manifest);
  const file = join(tempDir(), 'layer');
  await repo.fetchBlob({ digest: sha(pushed.layer), size: pushed.layer.length }, file);
  assert.deepEqual(readFileSync(file), pushed.layer);

  const wrong = { username: 'ci', password: 'wrong-pass-123' };
  await assert.rejects(new RegistryRepository(basic.host, 'nbpr/private', { ...fast, credentials: wrong }).listTags(), (e: unknown) => {
    const shown = everythingShown(e);
    assert.match(shown, /refused the credentials \(HTTP 401\)/);
    assert.doesNotMatch(shown, secretForms(wrong.username, wrong.password));
    assert.doesNotMatch(shown, secretForms(credentials.username, credentials.password));
    return true;
  });
});

test('credentials come from the environment: NBPR_REGISTRY_USERNAME/NBPR_REGISTRY_TOKEN, GITHUB_TOKEN for ghcr.io only', () => {
  assert.deepEqual(credentialsFor('registry.lan', { NBPR_REGISTRY_USERNAME: 'u', NBPR_REGISTRY_TOKEN: 't' }), { username: 'u', password: 't' });
  assert.deepEqual(credentialsFor('ghcr.io', { GITHUB_TOKEN: 'g', GITHUB_ACTOR: 'octo' }), { username: 'octo', password: 'g' });
  assert.equal(credentialsFor('registry.lan', { GITHUB_TOKEN: 'g' }), undefined, 'a GitHub token is not sent to other registries');
  assert.equal(credentialsFor('registry.lan', {}), undefined);
});
