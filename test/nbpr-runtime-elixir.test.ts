import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtefactStore, openStore } from '@nbpr/artefact';
import { Catalogue, readSystem, type PackageMetadata } from '@nbpr/model';
import { resolveFirmware, type ResolvedPackage } from '@nbpr/resolve';
import { fetchArtefact, siteFor } from '@nbpr/sites';
import { stageFirmware, type StagedPackage } from '@nbpr/stage';
import { loadFirmwareProfile } from '@nbpr/model';
import { repoRoot } from './support/reference';
import { tempDir } from './support/temp';

// The generated nbpr_runtime project, compiled with Debian's Elixir against a test-only
// MuonTrap (test/fixtures/muontrap-stub) and run on the host BEAM.

test('the staged nbpr_runtime compiles, is formatted, and runs: an idempotent env at boot, MuonTrap options passed through, a daemon restarted under its supervisor, kernel modules only on a Nerves target', async () => {
  const system = readSystem(join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0'));
  const files = ['nbpr-hello', 'nbpr-heartbeat'].map((p) => join(repoRoot, 'examples', 'packages', p, 'nbpr.json'));
  const catalogue = Catalogue.load(files, repoRoot);
  const firmware = loadFirmwareProfile(join(repoRoot, 'examples', 'firmware', 'nbpr.firmware.json'), repoRoot);
  const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  const packages: StagedPackage[] = [];
  for (const r of (await resolveFirmware({ catalogue, system: { app: system.app, version: system.version, buildroot: system.buildrootVersion, config: system.configSha256 }, firmware })) as ResolvedPackage[]) {
    const outcome = await fetchArtefact(r, [siteFor('oci-layout:examples/registry', repoRoot)], store);
    assert.equal(outcome.status, 'hit');
    packages.push({ name: r.name, metadata: catalogue.get(r.name).metadata, tree: (outcome as { tree: string }).tree });
  }
  // Two more packages: a library dir, a variable both set, kernel modules (the kernel's, one it
  // lacks, and an out-of-tree .ko the package ships), as trees stage reads them.
  const demo = tempDir();
  mkdirSync(join(demo, 'target', 'usr', 'lib'), { recursive: true });
  mkdirSync(join(demo, 'target', 'usr', 'bin'), { recursive: true });
  mkdirSync(join(demo, 'target', 'extra'), { recursive: true });
  writeFileSync(join(demo, 'target', 'usr', 'lib', 'libdemo.txt'), 'not ELF\n');
  writeFileSync(join(demo, 'target', 'usr', 'bin', 'demo'), '#!/bin/sh\n');
  writeFileSync(join(demo, 'target', 'extra', 'demo.ko'), 'not a module\n');
  const demoMetadata = { ...packages[0].metadata, name: 'demo-lib', version: '1.0', daemons: undefined, runtimeEnv: { DEMO_PLUGINS: '${NBPR_PRIV}/a' }, kernelModules: ['wireguard', 'extra/demo.ko', 'missing_module'] } as PackageMetadata;
  packages.push({ name: 'demo-lib', metadata: demoMetadata, tree: demo });
  const demo2 = tempDir();
  mkdirSync(join(demo2, 'target'), { recursive: true });
  packages.push({ name: 'demo-two', metadata: { ...demoMetadata, name: 'demo-two', kernelModules: [], runtimeEnv: { DEMO_PLUGINS: '${NBPR_PRIV}/b' } } as PackageMetadata, tree: demo2 });
  const out = join(tempDir(), 'nbpr_runtime');
  const legal = tempDir();
  writeFileSync(join(legal, 'manifest.csv'), '"PACKAGE"\n');
  const sbom = join(tempDir(), 'sbom.spdx.json');
  writeFileSync(sbom, '{}');
  const cdxSbom = join(tempDir(), 'sbom.cdx.json');
  writeFileSync(cdxSbom, '{}');
  await stageFirmware({ firmware: 'example-firmware', system, packages, legalInfo: legal, sbom, cdxSbom, outDir: out });

  const fake = tempDir();
  mkdirSync(join(fake, 'bin'));
  mkdirSync(join(fake, 'sys-module', 'udp_tunnel'), { recursive: true });
  writeFileSync(join(fake, 'os-release'), 'NAME=Nerves\nID=nerves\n');
  const log = join(fake, 'calls.log');
  const tool = (name: string, body: string) => {
    writeFileSync(join(fake, 'bin', name), `#!/bin/sh\necho "${name} $*" >> '${log}'\n${body}\n`);
    chmodSync(join(fake, 'bin', name), 0o755);
  };
  tool('modinfo', 'case "$3" in */demo.ko) echo "udp_tunnel,ip6_udp_tunnel";; esac');
  tool('insmod', 'exit 0');
  tool('modprobe', 'case "$1" in missing_module) echo "modprobe: module missing_module not found" >&2; exit 1;; esac');

  const env = { ...process.env, NODE_OPTIONS: '', NBPR_MUONTRAP_PATH: join(repoRoot, 'test', 'fixtures', 'muontrap-stub'), FAKE_KMOD_DIR: fake, MIX_HOME: join(tempDir(), 'mix'), HEX_OFFLINE: '1', PATH: `/usr/bin:/bin:${process.env.PATH}` };
  const compile = spawnSync('mix', ['compile', '--warnings-as-errors'], { cwd: out, env, encoding: 'utf8' });
  assert.equal(compile.status, 0, compile.stdout + compile.stderr);
  const run = spawnSync('mix', ['run', join(repoRoot, 'test', 'elixir', 'runtime_check.exs')], { cwd: out, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /all checks passed/);
  assert.equal(run.stdout.match(/^ok: /gm)?.length, 25, run.stdout);
  const reports = (run.stdout + run.stderr).match(/kernel module missing_module of demo-lib not loaded: modprobe missing_module exited 1: modprobe: module missing_module not found/g) ?? [];
  assert.equal(reports.length, 1, `a failure is reported once:\n${run.stdout}${run.stderr}`);

  const format = spawnSync('mix', ['format', '--check-formatted'], { cwd: out, env, encoding: 'utf8' });
  assert.equal(format.status, 0, `the generated project is formatted as mix format wants it:\n${format.stdout}${format.stderr}`);
  const requirement = readFileSync(join(out, 'mix.exs'), 'utf8').match(/\{:muontrap, "([^"]+)"\}/)![1];
  const versions = spawnSync('elixir', ['-e', `IO.inspect(Enum.map(~w(1.8.0 2.0.0-rc.1 2.0.0 2.3.1 3.0.0 0.9.0), &Version.match?(&1, ${JSON.stringify(requirement)})))`], { env, encoding: 'utf8' });
  assert.equal(versions.stdout.trim(), '[true, true, true, true, false, false]', `MuonTrap ${requirement}: 1.x and 2.x with its pre-releases, nothing else`);
});
