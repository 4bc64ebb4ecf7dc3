import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cyclonedxProblems } from './support/cyclonedx-schema';
import { copyWorkspace, runNx } from './support/nx-workspace';
import { writeJson } from './support/fixtures';
import { tempDir } from './support/temp';

// The example firmware through real nx: conflict-check, then fetch-or-build from the
// embedded registry (nothing downloaded), then licence-aggregate.

test('the example firmware goes through conflict-check, fetch-or-build and licence-aggregate from the embedded registry', () => {
  const ws = copyWorkspace();
  const run = runNx(ws, ['run', 'example-firmware:licence-aggregate'], { NBPR_CACHE_DIR: join(tempDir(), 'store'), SOURCE_DATE_EPOCH: '1767225600' });
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /conflict-check: 2 package\(s\) of firmware example-firmware on nerves_system_nbpr_example@0\.1\.0, .*: no conflicts/);
  assert.match(run.output, /fetched nbpr-hello 0\.1\.0 \(key [0-9a-f]{16}\) from examples\/registry/);
  const out = join(ws, 'dist', 'examples', 'firmware');
  const manifest = readFileSync(join(out, 'legal-info', 'manifest.csv'), 'utf8');
  assert.match(manifest, /^"PACKAGE","VERSION",/);
  assert.match(manifest, /\n"busybox","1\.38\.0",/);
  assert.match(manifest, /\n"nbpr-hello","0\.1\.0","Apache-2\.0",/);
  assert.match(readFileSync(join(out, 'legal-info', 'README'), 'utf8'), /Packages added by NBPR \(2\):/);
  const sbom = JSON.parse(readFileSync(join(out, 'sbom.spdx.json'), 'utf8'));
  assert.equal(sbom.spdxVersion, 'SPDX-2.3');
  assert.deepEqual(sbom.packages.map((p: { name: string }) => p.name).sort(), ['nbpr-heartbeat', 'nbpr-hello']);
  assert.equal(sbom.creationInfo.created, '2026-01-01T00:00:00Z');
  const cdx = JSON.parse(readFileSync(join(out, 'sbom.cdx.json'), 'utf8'));
  assert.deepEqual(cyclonedxProblems(cdx), [], 'sbom.cdx.json is valid CycloneDX 1.6');
  assert.deepEqual(cdx.components.map((c: { name: string }) => c.name).sort(), ['nbpr-heartbeat', 'nbpr-hello']);
  assert.equal(cdx.metadata.timestamp, sbom.creationInfo.created);
  assert.equal(cdx.metadata.component.name, 'example-firmware');
  const hello = cdx.components.find((c: { name: string }) => c.name === 'nbpr-hello');
  assert.deepEqual(hello.licenses, [{ expression: 'Apache-2.0', acknowledgement: 'declared' }]);
  assert.equal(hello.hashes[0].content, sbom.packages.find((p: { name: string }) => p.name === 'nbpr-hello').checksums[0].checksumValue, 'the same diff id as the SPDX package');
  assert.match(run.output, /SBOMs in \S+sbom\.spdx\.json \(SPDX 2\.3\) and \S+sbom\.cdx\.json \(CycloneDX 1\.6\)/);
});

test('a conflicting firmware fails at conflict-check and nothing is fetched', () => {
  const ws = copyWorkspace();
  writeJson(join(ws, 'packages', 'tls-tool', 'nbpr.json'), {
    schemaVersion: 1,
    name: 'tls-tool',
    version: '4.2.1',
    description: 'A tool that wants LibreSSL',
    homepage: 'https://www.libressl.org/',
    licenses: 'ISC',
    buildroot: { package: 'libressl' },
    kconfig: { BR2_PACKAGE_LIBRESSL: true },
    targets: ['*'],
  });
  const profile = join(ws, 'examples', 'firmware', 'nbpr.firmware.json');
  const firmware = JSON.parse(readFileSync(profile, 'utf8'));
  firmware.packages['tls-tool'] = {};
  writeFileSync(profile, JSON.stringify(firmware, null, 2));
  const store = join(tempDir(), 'store');
  const run = runNx(ws, ['run', 'example-firmware:fetch-or-build'], { NBPR_CACHE_DIR: store });
  assert.notEqual(run.status, 0);
  assert.match(run.output, /conflict-check found 1 conflict for firmware example-firmware on nerves_system_nbpr_example@0\.1\.0/);
  assert.match(run.output, /BR2_PACKAGE_LIBRESSL vs BR2_PACKAGE_LIBOPENSSL \(needs a system change\)/);
  assert.match(run.output, /tls-tool -> BR2_PACKAGE_LIBRESSL=y/);
  assert.doesNotMatch(run.output, /fetched nbpr-|store hit|building from source/);
  assert.ok(!existsSync(join(store, 'trees')) || readdirSync(join(store, 'trees')).length === 0, 'nothing was fetched');
});

test('nx run-many -t stage stages everything from the embedded registry cold, then takes every task from the cache', () => {
  const ws = copyWorkspace();
  const env = { NBPR_CACHE_DIR: join(tempDir(), 'store') };
  const cold = runNx(ws, ['run-many', '-t', 'stage'], env);
  assert.equal(cold.status, 0, cold.output);
  assert.match(cold.output, /staged firmware example-firmware for nerves_system_nbpr_example@0\.1\.0: nbpr-heartbeat, nbpr-hello/);
  assert.match(cold.output, /add \{:nbpr_runtime, path: "[^"]*dist\/examples\/firmware\/nbpr_runtime"\}/);
  assert.match(cold.output, /skipped jq 1\.8\.2: jq does not target nerves_system_nbpr_example/);
  const batches = [...cold.output.matchAll(/Running (\d+) tasks with @nbpr\/nx-plugin:pipeline/g)].map((m) => Number(m[1]));
  assert.deepEqual(batches, [cold.ran.size], 'every task of the run in one batch process, not one process per task');
  assert.ok(cold.ran.size >= 40, `${cold.ran.size} tasks ran`);
  const runtime = join(ws, 'dist', 'examples', 'firmware', 'nbpr_runtime');
  assert.ok(existsSync(join(runtime, 'priv', 'nbpr-hello', 'usr', 'bin', 'nbpr-hello')));
  assert.ok(existsSync(join(runtime, 'lib', 'nbpr', 'nbpr_heartbeat', 'nbpr_heartbeat.ex')));
  for (const file of ['sbom.spdx.json', 'sbom.cdx.json']) assert.ok(existsSync(join(runtime, file)), `${file} is staged`);
  assert.match(readFileSync(join(runtime, 'priv', 'nbpr-heartbeat', 'usr', 'sbin', 'nbpr-heartbeat'), 'utf8'), /^message="beating"$/m, "the firmware's override is what was staged");
  const warm = runNx(ws, ['run-many', '-t', 'stage'], { NBPR_CACHE_DIR: join(tempDir(), 'empty-store') });
  assert.equal(warm.status, 0, warm.output);
  assert.equal(warm.ran.size, 0, `every task from the cache:\n${warm.output}`);
  assert.ok(warm.cached.has('example-firmware:stage'));
});
