import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ArtefactStore, openStore } from '@nbpr/artefact';
import { fetchArtefact, publishArtefact, siteFor } from '../src';
import { startRegistry, freePort } from '../../../test/support/registry';
import { packedHello } from '../../../test/support/artefacts';
import { tempDir } from '../../../test/support/temp';

const dir = tempDir();
// Quick retries (a registry that is not there fails at once), patient answers: a real registry on
// a loaded machine can take seconds to answer, and no test here is about a slow one.
const fast = { http: { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }, headersTimeoutMs: 30_000, idleTimeoutMs: 30_000 } };

test('publishing is immutable: same content is a no-op, other content under the same key is refused', async () => {
  const registry = await startRegistry();
  const site = siteFor(`${registry.host}/nbpr`, dir, fast);
  const packed = await packedHello(dir);
  const first = await publishArtefact(site.repository('nbpr-hello'), packed.tag, packed, packed.file);
  assert.equal(first.status, 'published');
  const again = await publishArtefact(site.repository('nbpr-hello'), packed.tag, packed, packed.file);
  assert.deepEqual(again, { status: 'unchanged', manifestDigest: first.manifestDigest });
  const other = await packedHello(dir, 'echo different');
  assert.equal(other.key, packed.key, 'same key document');
  await assert.rejects(publishArtefact(site.repository('nbpr-hello'), packed.tag, other, other.file), (e: Error & { format(): string }) => {
    assert.match(e.format(), /already holds other content/);
    assert.match(e.format(), new RegExp(first.manifestDigest));
    assert.match(e.format(), /bump its version/);
    return true;
  });
});

test('skopeo inspects and copies what NBPR publishes, manifest byte-identical', async () => {
  const registry = await startRegistry();
  const site = siteFor(`${registry.host}/nbpr`, dir, fast);
  const packed = await packedHello(dir);
  const { manifestDigest } = await publishArtefact(site.repository('nbpr-hello'), packed.tag, packed, packed.file);
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/nbpr/nbpr-hello:${packed.tag}`]);
  assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, manifestDigest);
  const manifest = JSON.parse(raw.toString());
  assert.equal(manifest.artifactType, 'application/vnd.nbpr.artefact.v1');
  assert.equal(manifest.annotations['dev.nbpr.artefact.key'], packed.key);
  assert.equal(manifest.annotations['dev.nbpr.artefact.diff-id'], packed.diffId);
  assert.doesNotMatch(raw.toString(), /created/i, 'no timestamps');
  const layouts = tempDir();
  execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${registry.host}/nbpr/nbpr-hello:${packed.tag}`, `oci:${join(layouts, 'nbpr-hello')}:${packed.tag}`], { stdio: 'pipe' });
  const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  const outcome = await fetchArtefact({ name: 'nbpr-hello', key: packed.key, tag: packed.tag }, [siteFor(`oci-layout:${layouts}`, dir)], store);
  assert.equal(outcome.status, 'hit', 'NBPR fetches the layout skopeo wrote');
});

test('fetch: a miss names every site tried; a hit extracts into the store; the next fetch is a store hit', async () => {
  const registry = await startRegistry();
  const layoutDir = join(tempDir(), 'layout');
  const sites = [siteFor(`${registry.host}/nbpr`, dir, fast), siteFor(`oci-layout:${layoutDir}`, dir)];
  const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  const packed = await packedHello(dir);
  const wanted = { name: 'nbpr-hello', key: packed.key, tag: packed.tag };
  const miss = await fetchArtefact(wanted, sites, store);
  assert.equal(miss.status, 'miss');
  assert.deepEqual((miss as { tried: string[] }).tried, [`${registry.host}/nbpr/nbpr-hello:${packed.tag}`, `${join(layoutDir, 'nbpr-hello')}:${packed.tag}`]);
  await publishArtefact(sites[1].repository('nbpr-hello'), packed.tag, packed, packed.file);
  const hit = await fetchArtefact(wanted, sites, store);
  assert.equal(hit.status, 'hit');
  assert.equal((hit as { source: string }).source, layoutDir);
  const tree = (hit as { tree: string }).tree;
  assert.equal(readFileSync(join(tree, 'target', 'usr', 'bin', 'nbpr-hello'), 'utf8'), '#!/bin/sh\necho hello\n');
  const again = await fetchArtefact(wanted, sites, store);
  assert.deepEqual(again, { status: 'hit', source: 'store', tree });
});

test('fetch: an unreachable registry is an error outcome, not a miss', async () => {
  const port = await freePort();
  const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  const packed = await packedHello(dir);
  const outcome = await fetchArtefact({ name: 'nbpr-hello', key: packed.key, tag: packed.tag }, [siteFor(`127.0.0.1:${port}/nbpr`, dir, fast)], store);
  assert.equal(outcome.status, 'error');
  assert.match((outcome as { errors: Array<{ message: string }> }).errors[0].message, /failed after 2 attempts/);
});

test('fetch: a tag pointing at an artefact of another key is refused before any layer is downloaded', async () => {
  const registry = await startRegistry();
  const site = siteFor(`${registry.host}/nbpr`, dir, fast);
  const packed = await packedHello(dir);
  const impostor = await packedHello(dir, 'echo impostor', 'other-options');
  await publishArtefact(site.repository('nbpr-hello'), packed.tag, impostor, impostor.file);
  const storeDir = join(tempDir(), 'store');
  const outcome = await fetchArtefact({ name: 'nbpr-hello', key: packed.key, tag: packed.tag }, [site], openStore(undefined, { NBPR_CACHE_DIR: storeDir }));
  assert.equal(outcome.status, 'error');
  assert.match((outcome as { errors: Array<{ message: string }> }).errors[0].message, new RegExp(`is for key ${impostor.key}, expected ${packed.key}`));
  assert.deepEqual(readdirSync(join(storeDir, 'blobs', 'sha256')), [], 'no layer was downloaded');
});

test('concurrent fetches of one key download and extract it once', async () => {
  const registry = await startRegistry();
  const site = siteFor(`${registry.host}/nbpr`, dir, fast);
  const packed = await packedHello(dir);
  await publishArtefact(site.repository('nbpr-hello'), packed.tag, packed, packed.file);
  const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  const wanted = { name: 'nbpr-hello', key: packed.key, tag: packed.tag };
  const outcomes = await Promise.all([1, 2, 3, 4].map(() => fetchArtefact(wanted, [site], store)));
  assert.ok(outcomes.every((o) => o.status === 'hit'));
  assert.equal(outcomes.filter((o) => (o as { source: string }).source !== 'store').length, 1, 'one download');
});

test("sites are tried in order: the project's registry, the package's sites, then the workspace's sites", () => {
  const { workspaceSites } = require('../src') as typeof import('../src');
  const sites = workspaceSites({ defaultSystem: 'a@1', registry: 'ghcr.io/nbpr', sites: ['oci-layout:examples/registry', 'mirror.example/nbpr'] }, dir, {}, ['vendor.example/jq', 'ghcr.io/nbpr']);
  assert.deepEqual(sites.map((s) => [s.name, s.kind]), [['ghcr.io/nbpr', 'registry'], ['vendor.example/jq', 'registry'], ['oci-layout:examples/registry', 'layout'].map((x, i) => (i === 0 ? 'examples/registry' : x)), ['mirror.example/nbpr', 'registry']]);
  assert.equal(sites[0].repository('jq').location, 'ghcr.io/nbpr/jq');
});
