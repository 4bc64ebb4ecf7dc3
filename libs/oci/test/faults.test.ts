import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { after } from 'node:test';
import { join } from 'node:path';
import { RegistryRepository, retryAfterMs } from '../src';
import { startRegistry } from '../../../test/support/registry';
import { startFaultProxy, type Fault } from '../../../test/support/fault-proxy';
import { tempDir } from '../../../test/support/temp';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const credentials = { username: 'ci', password: 'fault-test-secret' };

async function setup() {
  const registry = await startRegistry({ htpasswd: credentials });
  const proxy = await startFaultProxy(registry.url);
  const waits: number[] = [];
  const options = { credentials, http: { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 5000, sleep: async (ms: number) => void waits.push(ms) }, headersTimeoutMs: 500, idleTimeoutMs: 500 } };
  const direct = new RegistryRepository(registry.host, 'nbpr/faults', { credentials });
  const blob = randomBytes(300_000);
  await direct.pushBlob({ bytes: blob }, sha(blob), blob.length);
  return { proxy, repo: new RegistryRepository(proxy.host, 'nbpr/faults', options), blob, waits };
}

const blobPath = /\/v2\/nbpr\/faults\/blobs\/sha256:/;
const faults: Array<[string, Fault]> = [
  ['a truncated body', { kind: 'truncate' }],
  ['a flipped byte', { kind: 'flip' }],
  ['a connection reset mid-blob', { kind: 'reset' }],
  ['a 503', { kind: 'status', status: 503 }],
  ['a response slower than the timeout', { kind: 'slow-headers', ms: 1500 }],
  ['a body that stalls past the idle timeout', { kind: 'stall-body', ms: 1500 }],
];

for (const [what, fault] of faults) {
  test(`${what} once: the download is retried and the file is whole`, async () => {
    const { proxy, repo, blob } = await setup();
    proxy.add({ method: 'GET', path: blobPath, fault, times: 1 });
    const dir = tempDir();
    await repo.fetchBlob({ digest: sha(blob), size: blob.length }, join(dir, 'blob'));
    assert.deepEqual(readFileSync(join(dir, 'blob')), blob);
    assert.deepEqual(readdirSync(dir), ['blob'], 'no temporary file is left');
  });

  test(`${what} every time: a clear error naming the URL, and nothing left on disk`, async () => {
    const { proxy, repo, blob } = await setup();
    proxy.add({ method: 'GET', path: blobPath, fault, times: Infinity });
    const dir = tempDir();
    await assert.rejects(repo.fetchBlob({ digest: sha(blob), size: blob.length }, join(dir, 'blob')), (e: Error & { format(): string }) => {
      assert.match(e.format(), /failed after 3 attempts/);
      assert.match(e.format(), new RegExp(proxy.host.replace(/\./g, '\\.')));
      assert.doesNotMatch(e.format(), /fault-test-secret/);
      return true;
    });
    assert.deepEqual(readdirSync(dir), []);
  });
}

test('503 and 429 wait as Retry-After says, in seconds or in milliseconds', async () => {
  const { proxy, repo, blob, waits } = await setup();
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'status', status: 503, retryAfter: '2' }, times: 1 });
  await repo.getBlobBytes({ digest: sha(blob), size: blob.length });
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'status', status: 429, retryAfter: '1500' }, times: 1 });
  await repo.getBlobBytes({ digest: sha(blob), size: blob.length });
  assert.deepEqual(waits, [2000, 1500]);
});

test('Retry-After is read as seconds, milliseconds above 1000, or an HTTP date', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs('2500'), 2500);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs('soon'), undefined);
});

test('a redirect to another host drops Authorization; a 403 from expired storage asks the registry again', async () => {
  const { proxy, repo, blob } = await setup();
  const storageSeen: Array<{ authorization: boolean }> = [];
  let expired = true;
  const storage = createServer((req, res) => {
    storageSeen.push({ authorization: Boolean(req.headers.authorization) });
    if (expired) {
      expired = false;
      res.writeHead(403).end('Request has expired');
      return;
    }
    res.writeHead(200, { 'Content-Length': String(blob.length) }).end(blob);
  });
  // 127.0.0.2 is another host for the client, still on this machine's loopback.
  await new Promise<void>((resolve) => storage.listen(0, '127.0.0.2', resolve));
  after(() => new Promise<void>((resolve) => storage.close(() => resolve())));
  const location = `http://127.0.0.2:${(storage.address() as { port: number }).port}/blobs/abc?X-Amz-Signature=secret-signature`;
  assert.ok(await repo.hasBlob(sha(blob)), 'the client has met the registry challenge');
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'redirect', location }, times: 2 });
  const dir = tempDir();
  await repo.fetchBlob({ digest: sha(blob), size: blob.length }, join(dir, 'blob'));
  assert.deepEqual(readFileSync(join(dir, 'blob')), blob);
  assert.equal(storageSeen.length, 2);
  assert.ok(storageSeen.every((s) => !s.authorization), 'the storage host never sees the registry credentials');
  const registryGets = proxy.seen.filter((s) => s.method === 'GET' && blobPath.test(s.path));
  assert.ok(registryGets.length >= 2, 'the registry URL was requested again after the 403');
  assert.ok(registryGets.every((s) => s.authorization), 'the registry itself gets the credentials');
});
