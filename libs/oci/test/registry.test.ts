import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LayoutRepository, OCI_EMPTY_JSON, OCI_LAYER_GZIP, OCI_MANIFEST, RegistryRepository } from '../src';
import { startRegistry } from '../../../test/support/registry';
import { tempDir } from '../../../test/support/temp';

const dir = tempDir();
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const fast = { http: { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 } } };

function artefact(content: Buffer) {
  const config = Buffer.from('{}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.nbpr.artefact.v1',
      config: { mediaType: OCI_EMPTY_JSON, digest: sha(config), size: config.length },
      layers: [{ mediaType: OCI_LAYER_GZIP, digest: sha(content), size: content.length }],
    }),
  );
  return { config, manifest };
}

async function push(repo: RegistryRepository | LayoutRepository, tag: string, content: Buffer) {
  const { config, manifest } = artefact(content);
  await repo.pushBlob({ bytes: config }, sha(config), config.length);
  await repo.pushBlob({ bytes: content }, sha(content), content.length);
  return { digest: await repo.pushManifest(tag, manifest, OCI_MANIFEST), manifest };
}

test('push, HEAD, pull and list tags against a real registry', async () => {
  const registry = await startRegistry();
  const repo = new RegistryRepository(registry.host, 'nbpr/nbpr-hello', fast);
  assert.equal(await repo.resolveTag('0.1.0-x'), null, 'HEAD miss');
  assert.deepEqual(await repo.listTags(), []);
  const content = randomBytes(100_000);
  const { digest, manifest } = await push(repo, '0.1.0-x', content);
  assert.equal(digest, sha(manifest));
  const descriptor = await repo.resolveTag('0.1.0-x');
  assert.equal(descriptor?.digest, digest, 'HEAD hit');
  const fetched = await repo.getManifest('0.1.0-x');
  assert.deepEqual(fetched.bytes, manifest, 'manifest bytes are kept exactly');
  const file = join(dir, 'blob');
  await repo.fetchBlob({ digest: sha(content), size: content.length }, file);
  assert.deepEqual(readFileSync(file), content);
  await push(repo, '0.1.0-y', content);
  assert.deepEqual((await repo.listTags()).sort(), ['0.1.0-x', '0.1.0-y']);
});

test('a large blob is uploaded in chunks', async () => {
  const registry = await startRegistry();
  const repo = new RegistryRepository(registry.host, 'nbpr/big', { ...fast, chunkThreshold: 1 << 20, chunkSize: 256 << 10 });
  const content = randomBytes((1 << 20) + 12345);
  const file = join(dir, 'big-src');
  writeFileSync(file, content);
  await repo.pushBlob({ file }, sha(content), content.length);
  assert.ok(await repo.hasBlob(sha(content)));
  const out = join(dir, 'big-out');
  await repo.fetchBlob({ digest: sha(content), size: content.length }, out);
  assert.deepEqual(readFileSync(out), content);
});

test('a blob whose content does not match its digest is never left on disk', async () => {
  const registry = await startRegistry();
  const repo = new RegistryRepository(registry.host, 'nbpr/wrong', fast);
  const content = randomBytes(1000);
  await repo.pushBlob({ bytes: content }, sha(content), content.length);
  const target = tempDir();
  await assert.rejects(repo.fetchBlob({ digest: sha(content), size: content.length + 1 }, join(target, 'blob')), /expected 1001/);
  assert.deepEqual(readdirSync(target), []);
});

test('with htpasswd Basic auth: anonymous access is refused clearly, credentials work and never show', async () => {
  const registry = await startRegistry({ htpasswd: { username: 'ci', password: 's3cret-pass' } });
  const anonymous = new RegistryRepository(registry.host, 'nbpr/private', fast);
  await assert.rejects(anonymous.listTags(), (e: Error & { format?: () => string }) => {
    assert.match(e.format!(), /refused access \(HTTP 401\)/);
    assert.match(e.format!(), /NBPR_REGISTRY_TOKEN/);
    return true;
  });
  const repo = new RegistryRepository(registry.host, 'nbpr/private', { ...fast, credentials: { username: 'ci', password: 's3cret-pass' } });
  await push(repo, 'v1', randomBytes(2000));
  assert.deepEqual(await repo.listTags(), ['v1']);
  const wrong = new RegistryRepository(registry.host, 'nbpr/private', { ...fast, credentials: { username: 'ci', password: 'wrong-pass' } });
  await assert.rejects(wrong.listTags(), (e: Error & { format?: () => string }) => {
    assert.doesNotMatch(e.format!() + e.message + String(e.stack), /wrong-pass|s3cret/);
    return true;
  });
});

test('skopeo reads what NBPR pushed, byte for byte', async () => {
  const registry = await startRegistry();
  const repo = new RegistryRepository(registry.host, 'nbpr/interop', fast);
  const { manifest } = await push(repo, 'v1', randomBytes(5000));
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/nbpr/interop:v1`]);
  assert.deepEqual(raw, manifest);
  const out = join(tempDir(), 'layout');
  execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${registry.host}/nbpr/interop:v1`, `oci:${out}:v1`], { stdio: 'pipe' });
  const layout = new LayoutRepository(out);
  assert.equal((await layout.getManifest('v1')).digest, sha(manifest), 'skopeo copy keeps the manifest digest');
});

test('NBPR pulls what skopeo pushed from an oci: layout', async () => {
  const registry = await startRegistry();
  const layoutDir = join(tempDir(), 'layout');
  const layout = new LayoutRepository(layoutDir);
  const content = randomBytes(3000);
  const { manifest } = await push(layout, 'v2', content);
  execFileSync('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layoutDir}:v2`, `docker://${registry.host}/nbpr/from-skopeo:v2`], { stdio: 'pipe' });
  const repo = new RegistryRepository(registry.host, 'nbpr/from-skopeo', fast);
  const fetched = await repo.getManifest('v2');
  assert.deepEqual(fetched.bytes, manifest);
  const file = join(tempDir(), 'layer');
  await repo.fetchBlob({ digest: sha(content), size: content.length }, file);
  assert.deepEqual(readFileSync(file), content);
});
