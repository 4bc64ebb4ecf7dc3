import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryRepository } from '../src';
import { startRegistry } from '../../../test/support/registry';
import { startFaultProxy, type Fault } from '../../../test/support/fault-proxy';
import { tempDir } from '../../../test/support/temp';
import { artefact, everythingShown, pushArtefact, secretForms, sha } from './helpers';

const credentials = { username: 'ci', password: 'fault-test-secret' };
// One Basic-auth registry for the file: every fault is met with credentials in play.
const registry = startRegistry({ htpasswd: credentials });

async function setup() {
  const { host, url } = await registry;
  const proxy = await startFaultProxy(url);
  const waits: number[] = [];
  const options = { credentials, http: { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 5000, sleep: async (ms: number) => void waits.push(ms) }, headersTimeoutMs: 500, idleTimeoutMs: 500 } };
  const name = `nbpr/faults-${randomBytes(4).toString('hex')}`;
  const pushed = await pushArtefact(new RegistryRepository(host, name, { credentials }), 'v1', randomBytes(300_000));
  const repo = new RegistryRepository(proxy.host, name, options);
  // Meet the Basic challenge first, so that faults hit authorized requests, not the 401.
  assert.ok(await repo.hasBlob(sha(pushed.layer)));
  proxy.seen.length = 0;
  return { proxy, repo, blob: pushed.layer, pushed, waits };
}

const blobPath = /\/blobs\/sha256:/;
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
    assert.equal(proxy.seen.filter((s) => s.method === 'GET' && blobPath.test(s.path)).length, 2, 'one retry');
  });

  test(`${what} every time: a clear error naming the URL, and nothing left on disk`, async () => {
    const { proxy, repo, blob } = await setup();
    proxy.add({ method: 'GET', path: blobPath, fault, times: Infinity });
    const dir = tempDir();
    await assert.rejects(repo.fetchBlob({ digest: sha(blob), size: blob.length }, join(dir, 'blob')), (e: Error & { format(): string }) => {
      assert.equal(e.name, 'NbprError');
      assert.match(e.format(), new RegExp(`^http://${proxy.host.replace(/\./g, '\\.')}/v2/nbpr/faults-\\w+/blobs/${sha(blob)}: download of ${sha(blob)} from .* failed after 3 attempts: `));
      if (fault.kind === 'status') assert.match(e.format(), /HTTP 503/);
      assert.match(e.format(), /try again later/);
      assert.doesNotMatch(everythingShown(e), secretForms(credentials.username, credentials.password));
      return true;
    });
    assert.deepEqual(readdirSync(dir), []);
  });
}

test('503 and 429 wait as Retry-After says: seconds, milliseconds above 1000, or an HTTP date', async () => {
  const { proxy, repo, blob, waits } = await setup();
  const descriptor = { digest: sha(blob), size: blob.length };
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'status', status: 503, retryAfter: '2' }, times: 1 });
  await repo.getBlobBytes(descriptor);
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'status', status: 429, retryAfter: '1500' }, times: 1 });
  await repo.getBlobBytes(descriptor);
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'status', status: 429, retryAfter: new Date(Date.now() + 60_000).toUTCString() }, times: 1 });
  await repo.getBlobBytes(descriptor);
  assert.deepEqual(waits.slice(0, 2), [2000, 1500]);
  assert.equal(waits[2], 5000, "a date a minute away is capped at the policy's longest wait");
});

test('a registry that keeps answering 429 ends in an error that says it is rate-limiting', async () => {
  const { proxy, repo, blob } = await setup();
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'status', status: 429, retryAfter: '1' }, times: Infinity });
  await assert.rejects(repo.fetchBlob({ digest: sha(blob), size: blob.length }, join(tempDir(), 'blob')), (e: Error & { format(): string }) => {
    assert.match(e.format(), /HTTP 429/);
    assert.match(e.format(), /rate-limiting/);
    return true;
  });
});

test('a corrupted manifest is fetched again; one corrupted every time is refused', async () => {
  const { proxy, repo, pushed } = await setup();
  const manifestPath = /\/manifests\/v1$/;
  proxy.add({ method: 'GET', path: manifestPath, fault: { kind: 'flip' }, times: 1 });
  assert.deepEqual((await repo.getManifest('v1')).bytes, pushed.manifest);
  proxy.add({ method: 'GET', path: manifestPath, fault: { kind: 'flip' }, times: Infinity });
  await assert.rejects(repo.getManifest('v1'), /failed after 3 attempts: the manifest from .* hashes to sha256:\w+, not sha256:/);
});

test('a failed upload step is retried from a fresh upload session', async () => {
  const { proxy, repo } = await setup();
  proxy.add({ method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'status', status: 503 }, times: 1 });
  proxy.add({ method: 'PUT', path: /\/manifests\//, fault: { kind: 'status', status: 502 }, times: 1 });
  const a = artefact(randomBytes(2000));
  await pushArtefact(repo, 'v2', a.layer);
  assert.equal(proxy.seen.filter((s) => s.method === 'POST').length, 2, 'the layer twice (the config is there already)');
  assert.equal((await repo.resolveTag('v2'))?.digest, sha(a.manifest));
  assert.equal(proxy.seen.filter((s) => s.method === 'PUT' && /manifests/.test(s.path)).length, 2);
});

/** A loopback server on another address, standing for blob storage on another host. */
async function storageHost(handle: (count: number, res: ServerResponse) => void) {
  const seen: Array<{ authorization: boolean; url: string }> = [];
  const server = createServer((req, res) => {
    seen.push({ authorization: Boolean(req.headers.authorization), url: req.url ?? '' });
    handle(seen.length, res);
  });
  // 127.0.0.2 is another host for the client, still on this machine's loopback.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { seen, base: `http://127.0.0.2:${(server.address() as { port: number }).port}` };
}

test('a redirect to another host drops Authorization; a 403 from expired storage asks the registry again', async () => {
  const { proxy, repo, blob } = await setup();
  const storage = await storageHost((count, res) => {
    if (count === 1) res.writeHead(403).end('Request has expired');
    else res.writeHead(200, { 'Content-Length': String(blob.length) }).end(blob);
  });
  const location = `${storage.base}/blobs/abc?X-Amz-Signature=secret-signature`;
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'redirect', location }, times: 2 });
  const dir = tempDir();
  await repo.fetchBlob({ digest: sha(blob), size: blob.length }, join(dir, 'blob'));
  assert.deepEqual(readFileSync(join(dir, 'blob')), blob);
  assert.equal(storage.seen.length, 2);
  assert.ok(storage.seen.every((s) => !s.authorization), 'the storage host never sees the registry credentials');
  const registryGets = proxy.seen.filter((s) => s.method === 'GET' && blobPath.test(s.path));
  assert.equal(registryGets.length, 2, 'the registry URL was asked again after the 403');
  assert.ok(registryGets.every((s) => s.authorization), 'the registry itself gets the credentials');
});

test('a storage host that breaks every time: the error names it without its signed query', async () => {
  const { proxy, repo, blob } = await setup();
  const storage = await storageHost((_count, res) => {
    res.writeHead(200, { 'Content-Length': String(blob.length) });
    res.write(blob.subarray(0, 1000), () => res.socket?.resetAndDestroy());
  });
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'redirect', location: `${storage.base}/blobs/abc?X-Amz-Signature=secret-signature` }, times: Infinity });
  const dir = tempDir();
  await assert.rejects(repo.fetchBlob({ digest: sha(blob), size: blob.length }, join(dir, 'blob')), (e: unknown) => {
    const shown = everythingShown(e);
    assert.match(shown, /127\.0\.0\.2:\d+\/blobs\/abc\?…/);
    assert.doesNotMatch(shown, /secret-signature/);
    assert.doesNotMatch(shown, secretForms(credentials.username, credentials.password));
    return true;
  });
  assert.deepEqual(readdirSync(dir), []);
});

test('a storage host that refuses connections: the network error is retried and reported without the signature', async () => {
  const { proxy, repo, blob } = await setup();
  proxy.add({ method: 'GET', path: blobPath, fault: { kind: 'redirect', location: 'http://127.0.0.2:1/blobs/abc?sig=secret-signature' }, times: Infinity });
  await assert.rejects(repo.getBlobBytes({ digest: sha(blob), size: blob.length }), (e: unknown) => {
    const shown = everythingShown(e);
    assert.match(shown, /failed after 3 attempts: GET http:\/\/127\.0\.0\.2:1\/blobs\/abc\?…: connect ECONNREFUSED/);
    assert.doesNotMatch(shown, /secret-signature/);
    return true;
  });
});
