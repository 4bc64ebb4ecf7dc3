import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NbprError } from '@nbpr/model';
import { LayoutRepository } from '@nbpr/oci';
import { parseArtefactManifest, readArtefactConfig } from '../src';
import { openStore } from '../src/store';
import { scratch } from './support';

// Sizes and digests from a registry or a layout are checked before they bound anything, and
// what a killed download leaves is never kept.

const { dir: fresh } = scratch();
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const manifest = (layers: unknown[], config: unknown = { mediaType: 'application/vnd.nbpr.artefact.config.v1+json', digest: digest('a'), size: 10 }) =>
  Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.nbpr.artefact.v1', config, layers }));
const layer = (size: unknown) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('b'), size });

function refused(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof NbprError && pattern.test(e.message), String(pattern));
}

test('a layer or config descriptor whose size is not a byte count is refused, naming the blob', () => {
  for (const size of [-1, 1.5, '10', null, Number.MAX_SAFE_INTEGER + 2]) refused(() => parseArtefactManifest(manifest([layer(size)]), 'reg/x:tag'), /the layer sha256:b{64} has size .* which is not a byte count/);
  refused(() => parseArtefactManifest(manifest([layer(10)], { mediaType: 'application/vnd.nbpr.artefact.config.v1+json', digest: digest('a'), size: -1 }), 'reg/x:tag'), /the config blob sha256:a{64} has size -1/);
  refused(() => parseArtefactManifest(manifest([{ ...layer(10), digest: 'sha256:../../etc' }]), 'reg/x:tag'), /the layer has no valid sha256 digest/);
  const old = process.env.NBPR_MAX_BLOB_BYTES;
  process.env.NBPR_MAX_BLOB_BYTES = '1000';
  try {
    refused(() => parseArtefactManifest(manifest([layer(1001)]), 'reg/x:tag'), /is 1001 bytes, more than the 1000 NBPR accepts/);
  } finally {
    if (old === undefined) delete process.env.NBPR_MAX_BLOB_BYTES;
    else process.env.NBPR_MAX_BLOB_BYTES = old;
  }
});

test('two layers or none, or another config type, are refused saying what is wrong, not quoting the right type', () => {
  refused(() => parseArtefactManifest(manifest([layer(1), layer(2)]), 'w'), /has 2 layers, an NBPR artefact has exactly one/);
  refused(() => parseArtefactManifest(manifest([]), 'w'), /has 0 layers/);
  refused(() => parseArtefactManifest(manifest([layer(1)], { mediaType: 'application/json', digest: digest('a'), size: 1 }), 'w'), /its config is "application\/json"/);
  refused(() => readArtefactConfig(Buffer.from('{not json'), 'reg/x:tag config'), /config blob is not JSON/);
});

test("an image layout's index descriptor with a negative size is refused before it is used", async () => {
  const dir = fresh('layout');
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('c'), size: -1, annotations: { 'org.opencontainers.image.ref.name': 't' } }] }));
  await assert.rejects(new LayoutRepository(dir).getManifest('t'), (e: unknown) => e instanceof NbprError && /index\.json \/manifests\/0 sha256:c{64} has size -1/.test(e.message));
});

test("a .download file a killed run left in the store is removed by the store's sweep (run before every download) and by cache clean", async () => {
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  const store = openStore(fresh('store'));
  const blobs = join(store.root, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const left = join(blobs, `.${'d'.repeat(64)}.${dead}.0badf00d.download`);
  const live = join(blobs, `.${'e'.repeat(64)}.${process.pid}.0badf00d.download`);
  writeFileSync(left, 'half a blob');
  writeFileSync(live, 'a download in progress');
  assert.deepEqual(await store.sweepLeftovers(), [left]);
  assert.ok(!existsSync(left) && existsSync(live), "only a dead run's file goes");
  writeFileSync(left, 'half a blob');
  const report = await store.clean();
  assert.ok(report.leftovers.includes(left), JSON.stringify(report));
  assert.ok(existsSync(live));
});
