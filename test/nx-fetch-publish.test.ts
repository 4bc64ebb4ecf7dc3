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
  const published = await publishArtefact(siteFor(`${site.host}/mirror`, ws).repository('nbpr-hello'), packed.tag, packed, packed.file);

  const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
  Object.assign(nxJson.plugins[0].options, { registry: `${project.host}/nbpr`, sites: [`${site.host}/mirror`] });
  writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));

  const first = runNx(ws, ['run', 'nbpr-hello:fetch-or-build'], env);
  assert.equal(first.status, 0, first.output);
  assert.match(first.output, new RegExp(`fetched nbpr-hello 0\\.1\\.0 \\(key ${packed.key.slice(0, 16)}\\) from ${site.host}/mirror`));
  const fetched = JSON.parse(readFileSync(join(ws, 'dist', 'examples', 'packages', 'nbpr-hello', 'fetched.json'), 'utf8'));
  assert.equal(readFileSync(join(fetched.packages[0].tree, 'target', 'usr', 'bin', 'nbpr-hello'), 'utf8'), '#!/bin/sh\necho hello\n');

  const second = runNx(ws, ['run', 'nbpr-hello:fetch-or-build'], env);
  assert.match(second.output, /store hit nbpr-hello 0\.1\.0/);

  const publish = runNx(ws, ['run', 'nbpr-hello:publish'], env);
  assert.equal(publish.status, 0, publish.output);
  assert.match(publish.output, new RegExp(`published nbpr-hello 0\\.1\\.0 as ${project.host}/nbpr/nbpr-hello:${packed.tag}`));
  const again = runNx(ws, ['run', 'nbpr-hello:publish'], env);
  assert.match(again.output, /already published \(same content\)/);
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${project.host}/nbpr/nbpr-hello:${packed.tag}`]);
  assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, published.manifestDigest, 'the same artefact has the same manifest everywhere');
});

test('fetch-or-build with no site holding the artefact fails naming the key, the tag and every site tried', async () => {
  const ws = copyWorkspace();
  const site = await startRegistry();
  const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
  Object.assign(nxJson.plugins[0].options, { sites: [`${site.host}/mirror`] });
  writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));
  const run = runNx(ws, ['run', 'example-firmware:fetch-or-build'], { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  assert.notEqual(run.status, 0);
  assert.match(run.output, /nbpr-hello 0\.1\.0: no prebuilt artefact for key [0-9a-f]{64} \(tag 0\.1\.0-nerves_system_nbpr_example-0\.1\.0-[0-9a-f]{16}\); tried 127\.0\.0\.1:\d+\/mirror\/nbpr-hello:/);
  assert.match(run.output, /nbpr-heartbeat 0\.1\.0: no prebuilt artefact/);
});
