import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishArtefact, siteFor } from '@nbpr/sites';
import { copyWorkspace, runNx } from './support/nx-workspace';
import { packedHello } from './support/artefacts';
import { startRegistry } from './support/registry';
import { tempDir } from './support/temp';
import { doubleBuildEnv } from './support/buildroot-double';
import { EXAMPLE_SIGNING_ENV, signAsExample } from './support/keys';

// fetch-or-build's prebuilt path and publish, through real nx, against two real registries:
// a site that has the artefact, and the project's own registry.

test('fetch-or-build pulls from a site into the store, then hits the store; publish copies it to the project registry once', async () => {
  const ws = copyWorkspace();
  const site = await startRegistry();
  const project = await startRegistry();
  const env = { NBPR_CACHE_DIR: join(tempDir(), 'store') };
  const resolve = runNx(ws, ['run', 'nbpr-hello:resolve'], env);
  assert.equal(resolve.status, 0, resolve.output);
  const resolved = JSON.parse(readFileSync(join(ws, 'dist', 'examples', 'packages', 'nbpr-hello', 'resolved.json'), 'utf8')).packages[0];
  // Stands in for a build of nbpr-hello: packed for exactly the key the workspace resolves.
  const packed = await packedHello(tempDir(), 'echo hello', '', resolved.keyDocument);
  assert.equal(packed.tag, resolved.tag);
  const mirror = siteFor(`${site.host}/mirror`, ws);
  const published = await publishArtefact(mirror.repository('nbpr-hello'), packed.tag, packed, packed.file);
  await signAsExample(mirror.repository('nbpr-hello'), mirror.identity('nbpr-hello'), published.manifestDigest, { ...packed, keyDocument: resolved.keyDocument });

  const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
  Object.assign(nxJson.plugins[0].options, { registry: `${project.host}/nbpr`, sites: [`${site.host}/mirror`] });
  writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));

  const first = runNx(ws, ['run', 'nbpr-hello:fetch-or-build'], env);
  assert.equal(first.status, 0, first.output);
  assert.match(first.output, new RegExp(`fetched nbpr-hello 0\\.1\\.0 \\(key ${packed.key.slice(0, 16)}\\) from ${site.host}/mirror, signed by [0-9a-f]{16} \\(examples/keys/nbpr-example\\.pub\\); built by source build on linux-`));
  const fetched = JSON.parse(readFileSync(join(ws, 'dist', 'examples', 'packages', 'nbpr-hello', 'fetched.json'), 'utf8'));
  assert.equal(readFileSync(join(fetched.packages[0].tree, 'target', 'usr', 'bin', 'nbpr-hello'), 'utf8'), '#!/bin/sh\necho hello\n');

  // Without Nx's cache, as another checkout on this machine would run it: the store answers.
  const second = runNx(ws, ['run', 'nbpr-hello:fetch-or-build', '--skip-nx-cache'], env);
  assert.match(second.output, /store hit nbpr-hello 0\.1\.0/);

  // The trust policy is require: publishing without the key would put up what every fetch refuses.
  const unsigned = runNx(ws, ['run', 'nbpr-hello:publish'], env);
  assert.notEqual(unsigned.status, 0);
  assert.match(unsigned.output, /nothing to sign with: NBPR_SIGNING_KEY is not set[\s\S]*code: trust\/no-signing-key/);
  const publish = runNx(ws, ['run', 'nbpr-hello:publish'], { ...env, ...EXAMPLE_SIGNING_ENV });
  assert.equal(publish.status, 0, publish.output);
  assert.match(publish.output, new RegExp(`published nbpr-hello 0\\.1\\.0 as ${project.host}/nbpr/nbpr-hello:${packed.tag}; signature added, provenance added`));
  assert.ok(!publish.output.includes(EXAMPLE_SIGNING_ENV.NBPR_SIGNING_KEY.split('\n')[1]), 'the key is never printed');
  const again = runNx(ws, ['run', 'nbpr-hello:publish'], { ...env, ...EXAMPLE_SIGNING_ENV });
  assert.match(again.output, /already published \(same content\) .*; signature already there, provenance already there/);
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${project.host}/nbpr/nbpr-hello:${packed.tag}`]);
  assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, published.manifestDigest, 'the same artefact has the same manifest everywhere');
});

test('fetch-or-build with no site holding the artefact and no Buildroot fails naming the key, the tag, every site tried and how to build', async () => {
  const ws = copyWorkspace();
  const site = await startRegistry();
  const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
  Object.assign(nxJson.plugins[0].options, { sites: [`${site.host}/mirror`] });
  writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));
  // Nothing answers where Buildroot and nerves_system_br would be downloaded from (a closed port: no network).
  const nowhere = 'http://127.0.0.1:9/downloads';
  const run = runNx(ws, ['run', 'example-firmware:fetch-or-build'], { NBPR_CACHE_DIR: join(tempDir(), 'store'), XDG_DATA_HOME: tempDir(), NBPR_BUILDROOT_SITES: nowhere, NBPR_NERVES_SYSTEM_BR_SITES: nowhere });
  assert.notEqual(run.status, 0);
  assert.match(run.output, /the source build failed:\s+.*could not download nerves_system_br-v1\.34\.0\.tar\.gz; a source build needs it/);
  assert.match(run.output, /put it at .*nerves\/nbpr\/dl\/nerves_system_br-v1\.34\.0\.tar\.gz/);
  assert.match(run.output, /nbpr-hello 0\.1\.0: no prebuilt artefact for key [0-9a-f]{64} \(tag 0\.1\.0-nerves_system_nbpr_example-0\.1\.0-[0-9a-f]{16}\); tried 127\.0\.0\.1:\d+\/mirror\/nbpr-hello:/);
  assert.match(run.output, /nbpr-heartbeat 0\.1\.0: no prebuilt artefact/);
});

test('a miss is built from source with Buildroot, published back, and the next machine fetches the identical prebuilt', async () => {
  const ws = copyWorkspace();
  const registry = await startRegistry();
  const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
  Object.assign(nxJson.plugins[0].options, { registry: `${registry.host}/nbpr`, sites: [], publishAfterBuild: true });
  writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));
  const builder = { NBPR_CACHE_DIR: join(tempDir(), 'store'), NBPR_BUILD_ROOT: tempDir(), ...doubleBuildEnv(tempDir()), ...EXAMPLE_SIGNING_ENV };
  const built = runNx(ws, ['run', 'example-firmware:fetch-or-build'], builder);
  assert.equal(built.status, 0, built.output);
  assert.match(built.output, /no prebuilt nbpr-hello 0\.1\.0 \(key [0-9a-f]{16}\) at 1 site\(s\): building from source/);
  assert.match(built.output, /\[\d+:\d\d\] nbpr-hello 0\.1\.0 Installing to target/);
  assert.match(built.output, /published nbpr-hello 0\.1\.0 as 127\.0\.0\.1:\d+\/nbpr\/nbpr-hello:\S+; signature added, provenance added/);
  const builtFetched = JSON.parse(readFileSync(join(ws, 'dist', 'examples', 'firmware', 'fetched.json'), 'utf8'));
  // The next machine has neither this store nor this Nx cache.
  const next = runNx(ws, ['run', 'example-firmware:fetch-or-build', '--skip-nx-cache'], { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  assert.equal(next.status, 0, next.output);
  assert.match(next.output, /fetched nbpr-hello 0\.1\.0 .* from 127\.0\.0\.1:\d+\/nbpr, signed by [0-9a-f]{16} \(examples\/keys\/nbpr-example\.pub\); built by source build on linux-\S+ from commit [0-9a-f]{12}/);
  const nextFetched = JSON.parse(readFileSync(join(ws, 'dist', 'examples', 'firmware', 'fetched.json'), 'utf8'));
  for (const pkg of builtFetched.packages) {
    const other = nextFetched.packages.find((p: { name: string; key: string }) => p.key === pkg.key);
    const script = pkg.name === 'nbpr-hello' ? 'usr/bin/nbpr-hello' : 'usr/sbin/nbpr-heartbeat';
    assert.equal(readFileSync(join(other.tree, 'target', script), 'utf8'), readFileSync(join(pkg.tree, 'target', script), 'utf8'));
    assert.equal(readFileSync(join(other.tree, 'nbpr-artefact.json'), 'utf8'), readFileSync(join(pkg.tree, 'nbpr-artefact.json'), 'utf8'));
  }
});
