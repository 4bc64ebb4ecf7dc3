import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LayoutRepository, OCI_MANIFEST } from '../src';
import { REF_NAME_ANNOTATION } from '../src/layout-repository';
import { OCI_INDEX } from '../src/media-types';
import { tempDir } from '../../../test/support/temp';
import { artefact, pushArtefact, sha } from './helpers';

test('an image layout is written as the OCI spec says and read back by tag and by digest', async () => {
  const dir = join(tempDir(), 'nbpr-hello');
  const layout = new LayoutRepository(dir);
  assert.equal(await layout.resolveTag('v1'), null, 'a layout not there yet is an empty repository');
  assert.deepEqual(await layout.listTags(), []);
  const pushed = await pushArtefact(layout, 'v1');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  assert.deepEqual(index, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: pushed.digest, size: pushed.manifest.length, annotations: { [REF_NAME_ANNOTATION]: 'v1' } }] });
  assert.deepEqual(readdirSync(join(dir, 'blobs', 'sha256')).sort(), [sha(pushed.config), sha(pushed.layer), pushed.digest].map((d) => d.slice(7)).sort(), 'blobs by digest, no temporary files');
  assert.deepEqual(await layout.getManifest('v1'), { bytes: pushed.manifest, digest: pushed.digest, mediaType: OCI_MANIFEST });
  assert.deepEqual((await layout.getManifest(pushed.digest)).bytes, pushed.manifest);
  const out = join(tempDir(), 'layer');
  await layout.fetchBlob({ digest: sha(pushed.layer), size: pushed.layer.length }, out);
  assert.deepEqual(readFileSync(out), pushed.layer);
  assert.ok(await layout.hasBlob(sha(pushed.config)));
  assert.equal(await layout.hasBlob(sha(Buffer.from('absent'))), false);
});

test('pushing a tag again replaces it; tags stay sorted so the index is the same on every machine', async () => {
  const layout = new LayoutRepository(join(tempDir(), 'repo'));
  await pushArtefact(layout, 'b');
  await pushArtefact(layout, 'a');
  const again = await pushArtefact(layout, 'b');
  assert.deepEqual(await layout.listTags(), ['a', 'b']);
  assert.equal((await layout.resolveTag('b'))?.digest, again.digest);
});

test('concurrent writers to one layout lose no tag', async () => {
  const dir = join(tempDir(), 'repo');
  const tags = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  await Promise.all(tags.map((tag) => pushArtefact(new LayoutRepository(dir), tag, randomBytes(200))));
  assert.deepEqual(await new LayoutRepository(dir).listTags(), tags);
  assert.ok(!existsSync(join(dir, 'index.json.lock')), 'the lock is released');
});

test('a lock left by a writer that died is taken over', async () => {
  const dir = join(tempDir(), 'repo');
  const layout = new LayoutRepository(dir);
  await pushArtefact(layout, 'v1');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(dir, 'index.json.lock'), JSON.stringify({ pid: Number(dead), host: hostname(), token: 'dead' }));
  await pushArtefact(layout, 'v2');
  assert.deepEqual(await layout.listTags(), ['v1', 'v2']);
});

test('a corrupt blob in a layout is refused, and nothing is left at the destination', async () => {
  const dir = join(tempDir(), 'repo');
  const layout = new LayoutRepository(dir);
  const pushed = await pushArtefact(layout, 'v1', randomBytes(10_000));
  const path = join(dir, 'blobs', 'sha256', sha(pushed.layer).slice(7));
  const bytes = readFileSync(path);
  bytes[5000] ^= 0xff;
  writeFileSync(path, bytes);
  const out = tempDir();
  await assert.rejects(layout.fetchBlob({ digest: sha(pushed.layer), size: pushed.layer.length }, join(out, 'layer')), (e: Error & { format(): string }) => {
    assert.match(e.format(), /blob sha256:\w+ is corrupt: .*has digest sha256:\w+, expected/);
    assert.match(e.format(), /Regenerate the image layout/);
    return true;
  });
  await assert.rejects(layout.getBlobBytes({ digest: sha(pushed.layer), size: pushed.layer.length }), /is corrupt: it hashes to/);
  assert.deepEqual(readdirSync(out), []);
  await assert.rejects(layout.fetchBlob({ digest: sha(Buffer.from('absent')), size: 6 }, join(out, 'x')), /is missing/);
  assert.deepEqual(readdirSync(out), []);
});

test('a pushed file is verified on the way into the layout', async () => {
  const layout = new LayoutRepository(join(tempDir(), 'repo'));
  const a = artefact();
  const file = join(tempDir(), 'layer');
  writeFileSync(file, a.layer);
  await assert.rejects(layout.pushBlob({ file }, sha(Buffer.from('other')), a.layer.length), /does not match/);
  assert.equal(await layout.hasBlob(sha(Buffer.from('other'))), false);
  await layout.pushBlob({ file }, sha(a.layer), a.layer.length);
  assert.ok(await layout.hasBlob(sha(a.layer)));
});

test('a damaged index or an unknown layout version is reported with the file to fix', async () => {
  const dir = join(tempDir(), 'repo');
  await pushArtefact(new LayoutRepository(dir), 'v1');
  writeFileSync(join(dir, 'index.json'), '{"schemaVersion": 2, "manif');
  await assert.rejects(new LayoutRepository(dir).resolveTag('v1'), (e: Error & { format(): string }) => {
    assert.match(e.format(), /index\.json: index\.json is not JSON/);
    return true;
  });
  writeFileSync(join(dir, 'index.json'), '{"schemaVersion": 2, "manifests": []}');
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion": "2.0.0"}');
  await assert.rejects(new LayoutRepository(dir).listTags(), /unsupported image layout version "2.0.0"/);
});
