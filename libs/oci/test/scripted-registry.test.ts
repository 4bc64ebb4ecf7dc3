// Behaviour that Distribution 2.8 cannot be made to show (it ignores `n` in tag listings,
// always sends Docker-Content-Digest, never answers slowly): a small scripted registry on
// loopback plays those parts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { OCI_MANIFEST, RegistryRepository } from '../src';
import { artefact, everythingShown, sha } from './helpers';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

async function scripted(handler: Handler, address = '127.0.0.1') {
  const seen: Array<{ method: string; path: string; authorization?: string; accept?: string }> = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, accept: req.headers.accept });
    handler(req, res, new URL(req.url ?? '/', `http://${req.headers.host}`));
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { host: `${address}:${(server.address() as { port: number }).port}`, seen };
}

const quick = (extra: object = {}) => ({ http: { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, headersTimeoutMs: 300, idleTimeoutMs: 300, ...extra } });

test('tag listings are followed page by page through Link headers', async () => {
  const pages: Record<string, { tags: string[]; next?: string }> = {
    '': { tags: ['a', 'b'], next: 'b' },
    b: { tags: ['c', 'd'], next: 'd' },
    d: { tags: ['e'] },
  };
  const registry = await scripted((_req, res, url) => {
    const page = pages[url.searchParams.get('last') ?? ''];
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (page.next) headers.Link = `</v2/nbpr/jq/tags/list?n=2&last=${page.next}>; rel="next"`;
    res.writeHead(200, headers).end(JSON.stringify({ name: 'nbpr/jq', tags: page.tags }));
  });
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', { ...quick(), tagPageSize: 2 });
  assert.deepEqual(await repo.listTags(), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(registry.seen.map((s) => s.path), ['/v2/nbpr/jq/tags/list?n=2', '/v2/nbpr/jq/tags/list?n=2&last=b', '/v2/nbpr/jq/tags/list?n=2&last=d']);
});

test('manifests are asked for with the OCI and Docker media types; a HEAD without a digest is resolved by hashing the manifest', async () => {
  const { manifest } = artefact();
  const registry = await scripted((req, res) => {
    res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Content-Length': String(manifest.length) });
    res.end(req.method === 'HEAD' ? undefined : manifest);
  });
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', quick());
  assert.deepEqual(await repo.resolveTag('v1'), { mediaType: OCI_MANIFEST, digest: sha(manifest), size: manifest.length });
  assert.deepEqual(registry.seen.map((s) => s.method), ['HEAD', 'GET']);
  for (const s of registry.seen) {
    assert.match(s.accept ?? '', /application\/vnd\.oci\.image\.manifest\.v1\+json/);
    assert.match(s.accept ?? '', /application\/vnd\.oci\.image\.index\.v1\+json/);
    assert.match(s.accept ?? '', /application\/vnd\.docker\.distribution\.manifest\.v2\+json/);
  }
});

test('a manifest whose bytes do not match Docker-Content-Digest is retried, then refused', async () => {
  const { manifest } = artefact();
  const registry = await scripted((_req, res) => {
    res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': sha(Buffer.from('something else')) }).end(manifest);
  });
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', quick());
  await assert.rejects(repo.getManifest('v1'), /failed after 2 attempts: the manifest from http:\/\/127\.0\.0\.1:\d+\/v2\/nbpr\/jq\/manifests\/v1 hashes to sha256:/);
  assert.equal(registry.seen.length, 2);
});

test('a manifest asked for by digest must hash to it, and an oversized one is refused unread', async () => {
  const { manifest } = artefact();
  let big = false;
  const registry = await scripted((_req, res) => {
    if (big) res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Content-Length': String(5 << 20) }).end(Buffer.alloc(5 << 20));
    else res.writeHead(200, { 'Content-Type': OCI_MANIFEST }).end(manifest);
  });
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', quick());
  await assert.rejects(repo.getManifest(sha(Buffer.from('other'))), /hashes to/);
  big = true;
  await assert.rejects(repo.getManifest('v1'), /larger than 4194304 bytes/);
});

test('a manifest body that stalls is abandoned after the idle timeout and retried', async () => {
  const { manifest } = artefact();
  let first = true;
  const registry = await scripted((_req, res) => {
    res.writeHead(200, { 'Content-Type': OCI_MANIFEST, 'Content-Length': String(manifest.length) });
    if (first) {
      first = false;
      res.write(manifest.subarray(0, 10)); // and then nothing
      return;
    }
    res.end(manifest);
  });
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', quick());
  assert.deepEqual((await repo.getManifest('v1')).bytes, manifest);
  assert.equal(registry.seen.length, 2);
});

test('an upload slower than the timeout is not cut off while it keeps moving', async () => {
  const size = 16 << 20;
  const body = Buffer.alloc(size, 7);
  let received = 0;
  const registry = await scripted((req, res, url) => {
    if (req.method === 'HEAD') return void res.writeHead(404).end();
    if (req.method === 'POST') return void res.writeHead(202, { Location: '/v2/nbpr/jq/blobs/uploads/u1?_state=x' }).end();
    // Take the body slowly: a chunk every 5 ms, about 2 s in all, twice the timeout. (TCP
    // moves it in bursts as the receive window reopens: well under the timeout apart.)
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      req.pause();
      setTimeout(() => req.resume(), 5);
    });
    req.on('end', () => res.writeHead(201, { 'Docker-Content-Digest': url.searchParams.get('digest')! }).end());
  });
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', quick({ headersTimeoutMs: 1000 }));
  const started = Date.now();
  await repo.pushBlob({ bytes: body }, sha(body), size);
  assert.equal(received, size);
  assert.ok(Date.now() - started > 1000, `the upload took ${Date.now() - started} ms, longer than the timeout`);
});

test('an upload Location on another host gets no Authorization', async () => {
  const storage = await scripted((req, res, url) => {
    req.resume();
    req.on('end', () => res.writeHead(201, { 'Docker-Content-Digest': url.searchParams.get('digest') ?? '' }).end());
  }, '127.0.0.2');
  const registry = await scripted((req, res) => {
    if (!req.headers.authorization) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
    if (req.method === 'HEAD') return void res.writeHead(404).end();
    res.writeHead(202, { Location: `http://${storage.host}/upload/u1?sig=abc` }).end();
  });
  const credentials = { username: 'ci', password: 'upload-secret' };
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', { ...quick(), credentials });
  const blob = Buffer.from('hello');
  await repo.pushBlob({ bytes: blob }, sha(blob), blob.length);
  assert.ok(registry.seen.some((s) => s.authorization?.startsWith('Basic ')), 'the registry got the credentials');
  assert.deepEqual(storage.seen.map((s) => [s.method, s.authorization]), [['PUT', undefined]]);
});

test('debug output shows requests with Authorization redacted', async () => {
  const lines: string[] = [];
  const registry = await scripted((req, res) => {
    if (!req.headers.authorization) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"tags":["v1"]}');
  });
  const credentials = { username: 'ci', password: 'debug-secret-77' };
  const repo = new RegistryRepository(registry.host, 'nbpr/jq', { ...quick({ debug: (line: string) => lines.push(line) }), credentials });
  assert.deepEqual(await repo.listTags(), ['v1']);
  const text = lines.join('\n');
  assert.match(text, /> GET http:\/\/127\.0\.0\.1:\d+\/v2\/nbpr\/jq\/tags\/list\?…/);
  assert.match(text, /"Authorization":"Basic <redacted>"/);
  assert.match(text, /< 200 /);
  assert.doesNotMatch(everythingShown(new Error(text)), /debug-secret-77|Y2k6ZGVidWctc2VjcmV0LTc3/);
});
