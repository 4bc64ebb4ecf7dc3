import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtefactStore } from '@nbpr/artefact';
import { Catalogue, readSystem, type PackageMetadata } from '@nbpr/model';
import { resolveFirmware, type ResolvedPackage } from '@nbpr/resolve';
import { fetchArtefact, siteFor } from '@nbpr/sites';
import { stageFirmware, type StagedPackage } from '@nbpr/stage';
import { loadFirmwareProfile } from '@nbpr/model';
import { repoRoot } from './support/reference';
import { tempDir } from './support/temp';

// The generated nbpr_runtime project, compiled with Debian's Elixir against a test-only
// MuonTrap (test/fixtures/muontrap-stub) and run on the host BEAM.

test('the staged nbpr_runtime compiles and runs: env at boot, daemon restarted under a supervisor, kmod loader order', async () => {
  const system = readSystem(join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0'));
  const files = ['nbpr-hello', 'nbpr-heartbeat'].map((p) => join(repoRoot, 'examples', 'packages', p, 'nbpr.json'));
  const catalogue = Catalogue.load(files, repoRoot);
  const firmware = loadFirmwareProfile(join(repoRoot, 'examples', 'firmware', 'nbpr.firmware.json'), repoRoot);
  const store = ArtefactStore.open({ NBPR_CACHE_DIR: join(tempDir(), 'store') });
  const packages: StagedPackage[] = [];
  for (const r of (await resolveFirmware({ catalogue, system: { app: system.app, version: system.version, buildroot: system.buildrootVersion, config: system.configSha256 }, firmware })) as ResolvedPackage[]) {
    const outcome = await fetchArtefact(r, [siteFor('oci-layout:examples/registry', repoRoot)], store);
    assert.equal(outcome.status, 'hit');
    packages.push({ name: r.name, metadata: catalogue.get(r.name).metadata, tree: (outcome as { tree: string }).tree });
  }
  // A third package with a library and a multi-valued variable, as a tree stage reads it.
  const demo = tempDir();
  mkdirSync(join(demo, 'target', 'usr', 'lib'), { recursive: true });
  mkdirSync(join(demo, 'target', 'usr', 'bin'), { recursive: true });
  writeFileSync(join(demo, 'target', 'usr', 'lib', 'libdemo.txt'), 'not ELF\n');
  writeFileSync(join(demo, 'target', 'usr', 'bin', 'demo'), '#!/bin/sh\n');
  const demoMetadata = { ...packages[0].metadata, name: 'demo-lib', version: '1.0', daemons: undefined, runtimeEnv: { DEMO_PLUGINS: '${NBPR_PRIV}/a' } } as PackageMetadata;
  packages.push({ name: 'demo-lib', metadata: demoMetadata, tree: demo });
  const out = join(tempDir(), 'nbpr_runtime');
  const legal = tempDir();
  writeFileSync(join(legal, 'manifest.csv'), '"PACKAGE"\n');
  const sbom = join(tempDir(), 'sbom.spdx.json');
  writeFileSync(sbom, '{}');
  await stageFirmware({ firmware: 'example-firmware', system, packages, legalInfo: legal, sbom, outDir: out });
  // A second value for DEMO_PLUGINS, from another package of the firmware, edited into the generated data.
  const runtime = join(out, 'lib', 'nbpr_runtime.ex');
  writeFileSync(runtime, readFileSync(runtime, 'utf8').replace('runtime_env: [["DEMO_PLUGINS", "${NBPR_PRIV}/a"]]', 'runtime_env: [["DEMO_PLUGINS", "${NBPR_PRIV}/a"], ["DEMO_PLUGINS", "${NBPR_PRIV}/b"]]'));

  const fake = tempDir();
  mkdirSync(join(fake, 'bin'));
  mkdirSync(join(fake, 'sys-module', 'udp_tunnel'), { recursive: true });
  const log = join(fake, 'calls.log');
  const tool = (name: string, body: string) => {
    writeFileSync(join(fake, 'bin', name), `#!/bin/sh\necho "${name} $*" >> '${log}'\n${body}\n`);
    chmodSync(join(fake, 'bin', name), 0o755);
  };
  tool('modinfo', 'if [ "$1" = "-F" ]; then case "$3" in wireguard) echo "udp_tunnel,ip6_udp_tunnel";; esac; exit 0; fi\ncase "$2" in missing_module) exit 1;; esac\necho "/lib/modules/$2.ko"');
  tool('insmod', 'case "$1" in */wireguard.ko) echo "insmod: ERROR: could not insert module" >&2; exit 1;; esac');
  tool('modprobe', 'case "$1" in missing_module) exit 1;; esac');

  const env = { ...process.env, NODE_OPTIONS: '', NBPR_MUONTRAP_PATH: join(repoRoot, 'test', 'fixtures', 'muontrap-stub'), FAKE_KMOD_DIR: fake, MIX_HOME: join(tempDir(), 'mix'), HEX_OFFLINE: '1', PATH: `/usr/bin:/bin:${process.env.PATH}` };
  const compile = spawnSync('mix', ['compile', '--warnings-as-errors'], { cwd: out, env, encoding: 'utf8' });
  assert.equal(compile.status, 0, compile.stdout + compile.stderr);
  const run = spawnSync('mix', ['run', join(repoRoot, 'test', 'elixir', 'runtime_check.exs')], { cwd: out, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /all checks passed/);
  assert.equal(run.stdout.match(/^ok: /gm)?.length, 16, run.stdout);
});
