import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LayoutRepository, RegistryRepository } from '../src';
import { startRegistry } from '../../../test/support/registry';
import { tempDir } from '../../../test/support/temp';
import { fast, pushArtefact, sha } from './helpers';

const registry = startRegistry();

function skopeo(...args: string[]): Buffer {
  return execFileSync('skopeo', ['--insecure-policy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

test('skopeo inspects what NBPR pushed byte for byte, and copies it to an oci: layout NBPR reads', async () => {
  const { host } = await registry;
  const repo = new RegistryRepository(host, 'nbpr/interop', fast);
  const pushed = await pushArtefact(repo, 'v1', randomBytes(5000));
  const raw = skopeo('inspect', '--raw', '--tls-verify=false', `docker://${host}/nbpr/interop:v1`);
  assert.deepEqual(raw, pushed.manifest, 'skopeo sees the exact manifest bytes');
  const out = join(tempDir(), 'layout');
  skopeo('copy', '--src-tls-verify=false', `docker://${host}/nbpr/interop:v1`, `oci:${out}:v1`);
  const layout = new LayoutRepository(out);
  const manifest = await layout.getManifest('v1');
  assert.equal(manifest.digest, pushed.digest, 'skopeo copy keeps the manifest digest');
  const file = join(tempDir(), 'layer');
  await layout.fetchBlob({ digest: sha(pushed.layer), size: pushed.layer.length }, file);
  assert.deepEqual(readFileSync(file), pushed.layer);
});

test('NBPR pulls an artefact that skopeo pushed from an oci: layout NBPR wrote', async () => {
  const { host } = await registry;
  const layoutDir = join(tempDir(), 'layout');
  const pushed = await pushArtefact(new LayoutRepository(layoutDir), 'v2', randomBytes(3000));
  skopeo('copy', '--dest-tls-verify=false', `oci:${layoutDir}:v2`, `docker://${host}/nbpr/from-skopeo:v2`);
  const repo = new RegistryRepository(host, 'nbpr/from-skopeo', fast);
  assert.equal((await repo.resolveTag('v2'))?.digest, pushed.digest);
  assert.deepEqual((await repo.getManifest('v2')).bytes, pushed.manifest, 'skopeo pushed the manifest unchanged');
  const file = join(tempDir(), 'layer');
  await repo.fetchBlob({ digest: sha(pushed.layer), size: pushed.layer.length }, file);
  assert.deepEqual(readFileSync(file), pushed.layer);
});
