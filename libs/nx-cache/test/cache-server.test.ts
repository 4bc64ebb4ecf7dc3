import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { RegistryRepository } from '@nbpr/oci';
import { createCacheServer } from '../src';
import { NX_CACHE_ARTIFACT_TYPE } from '../src/cache-server';
import { startRegistry } from '../../../test/support/registry';

const token = 'nx-cache-token-' + randomBytes(8).toString('hex');

async function serve() {
  const registry = await startRegistry();
  const repository = new RegistryRepository(registry.host, 'nbpr/nx-cache');
  const server = createCacheServer({ repository, token });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // fetch keeps connections alive; close would wait for them.
  after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, repository };
}

test('the cache API: 401 without a token, 403 with a wrong one, 404 for a miss, 200 on PUT, 409 on an existing hash, the bytes back on GET', async () => {
  const { url, repository } = await serve();
  const body = randomBytes(50_000);
  assert.equal((await fetch(`${url}/v1/cache/123456`)).status, 401);
  assert.equal((await fetch(`${url}/v1/cache/123456`, { headers: { Authorization: 'Bearer wrong' } })).status, 403);
  const auth = { Authorization: `Bearer ${token}` };
  assert.equal((await fetch(`${url}/v1/cache/123456`, { headers: auth })).status, 404);
  assert.equal((await fetch(`${url}/v1/cache/123456`, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body })).status, 200);
  assert.equal((await fetch(`${url}/v1/cache/123456`, { method: 'PUT', headers: auth, body })).status, 409);
  const got = await fetch(`${url}/v1/cache/123456`, { headers: auth });
  assert.equal(got.status, 200);
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), body);
  const manifest = JSON.parse((await repository.getManifest('123456')).bytes.toString());
  assert.equal(manifest.artifactType, NX_CACHE_ARTIFACT_TYPE, 'kept as an OCI artefact in the registry');
});
