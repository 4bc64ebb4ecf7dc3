import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ArtefactStore, readElfDynamic } from '@nbpr/artefact';
import { Catalogue, NbprError, readSystem, systemIdentity } from '@nbpr/model';
import { resolvePackage, type ResolvedPackage } from '@nbpr/resolve';
import { fetchArtefact, publishArtefact, siteFor } from '@nbpr/sites';
import { buildFromSource, buildrootStep, containerImage, chooseBackend, makeCommand, locateBuildroot, type SourceBuildInput } from '../src';
import { mainlinePackage, writeJson } from '../../../test/support/fixtures';
import { repoRoot } from '../../../test/support/reference';
import { startRegistry } from '../../../test/support/registry';
import { tempDir } from '../../../test/support/temp';
import { doubleBuildEnv, nervesSystemBrDouble } from '../../../test/support/buildroot-double';

// Source builds through the Buildroot test double (test/fixtures/buildroot-double): the same
// make calls NBPR makes of a real Buildroot 2026.05 tree.

const double = join(repoRoot, 'test', 'fixtures', 'buildroot-double');
const exampleSystem = join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0');
const dir = tempDir();
const buildRoot = join(dir, 'build-root');
const buildEnv = { ...process.env, ...doubleBuildEnv(dir), HOME: dir };
const catalogue = Catalogue.load(
  [
    writeJson(join(dir, 'packages', 'jq', 'nbpr.json'), mainlinePackage('jq', { targets: ['*'], exposeStaging: true, licenses: 'MIT AND ICU AND CC-BY-3.0 AND BSD-2-Clause' })),
    join(repoRoot, 'examples', 'packages', 'nbpr-heartbeat', 'nbpr.json'),
  ],
  repoRoot,
);

async function input(name: string, systemDir = exampleSystem): Promise<SourceBuildInput & { resolved: ResolvedPackage }> {
  const system = readSystem(systemDir);
  const resolved = (await resolvePackage({ catalogue, system: systemIdentity(system) }, name)) as ResolvedPackage;
  return { manifest: catalogue.get(name), system, resolved, tree: double, backend: { kind: 'native' }, buildRoot, nervesSystemBr: nervesSystemBrDouble, env: buildEnv, progress: () => undefined };
}

test('a mainline package builds, keeps only its own runtime files, strips them and records its build facts', async () => {
  const lines: string[] = [];
  const built = await buildFromSource({ ...(await input('jq')), progress: (l) => lines.push(l) });
  const paths = built.metadata.files.map((f) => f.path);
  assert.ok(paths.includes('target/usr/bin/jq'));
  assert.ok(paths.includes('target/usr/lib/libjq.so.1.0.4'));
  assert.ok(!paths.filter((p) => p.startsWith('target/')).some((p) => /usr\/include|\.la$|pkgconfig|share\/(doc|man)/.test(p)), 'no headers, .la, .pc or docs in target');
  assert.ok(!paths.some((p) => p.includes('libonig')), "dependencies' files are not the package's");
  assert.ok(paths.includes('staging/usr/include/jq.h'), 'exposeStaging ships staging');
  assert.deepEqual(built.metadata.sonames.provided, ['libjq.so.1']);
  assert.ok(built.metadata.sonames.needed.includes('libonig.so.5'));
  assert.deepEqual(built.metadata.build.closure, ['host-fakedate', 'host-skeleton', 'jq', 'oniguruma', 'skeleton', 'skeleton-custom', 'toolchain', 'toolchain-external', 'toolchain-external-custom'], "Buildroot's closure: the toolchain and skeleton packages too");
  assert.equal(built.metadata.build.kconfig.BR2_PACKAGE_ONIGURUMA, 'y');
  assert.equal(built.metadata.build.kconfig.BR2_PACKAGE_JQ_DECNUM, 'y');
  assert.ok(lines.some((l) => /^\[\d+:\d\d\] jq 1\.8\.2 Building$/.test(l)), 'progress shows Buildroot steps with elapsed time');
  const store = ArtefactStore.open({ NBPR_CACHE_DIR: join(tempDir(), 'store') });
  const tree = await store.addBuilt({ key: built.metadata.key, tag: 'x', file: built.file, digest: built.digest, diffId: built.diffId, size: built.size });
  assert.equal(readlinkSync(join(tree, 'target', 'usr', 'lib', 'libjq.so')), 'libjq.so.1.0.4', 'absolute in-tree symlink made relative');
  const elf = await readElfDynamic(join(tree, 'target', 'usr', 'bin', 'jq'));
  assert.ok(elf?.needed.includes('libjq.so.1'), 'jq needs libjq by its soname');
  assert.doesNotMatch(readFileSync(join(tree, 'target', 'usr', 'bin', 'jq')).toString('latin1'), /\.debug_info/, 'stripped');
  assert.match(readFileSync(join(tree, 'legal-info', 'manifest.csv'), 'utf8'), /^"PACKAGE","VERSION",.*\n"jq","1\.8\.2","MIT \(code\), ICU/);
});

test('two builds of the same key are byte-identical', async () => {
  const a = await buildFromSource(await input('nbpr-heartbeat'));
  const b = await buildFromSource(await input('nbpr-heartbeat'));
  assert.equal(a.diffId, b.diffId);
  assert.equal(a.digest, b.digest);
  const j1 = await buildFromSource(await input('jq'));
  const j2 = await buildFromSource(await input('jq'));
  assert.equal(j1.diffId, j2.diffId, 'compiled code too, at the fixed output path');
});

test('a source-built artefact published and fetched back is the same artefact', async () => {
  const registry = await startRegistry();
  const built = await buildFromSource(await input('nbpr-heartbeat'));
  const { resolved } = await input('nbpr-heartbeat');
  const site = siteFor(`${registry.host}/nbpr`, dir);
  await publishArtefact(site.repository('nbpr-heartbeat'), resolved.tag, built, built.file);
  const outcome = await fetchArtefact({ name: 'nbpr-heartbeat', key: resolved.key, tag: resolved.tag }, [site], ArtefactStore.open({ NBPR_CACHE_DIR: join(tempDir(), 'store') }));
  assert.equal(outcome.status, 'hit');
  assert.equal((outcome as { config: { diffId: string } }).config.diffId, built.diffId);
  assert.equal(readFileSync(join((outcome as { tree: string }).tree, 'target', 'usr', 'sbin', 'nbpr-heartbeat'), 'utf8').match(/^message="(.*)"$/m)?.[1], 'alive');
});

test('a requested symbol whose dependency the system lacks fails before building, naming both', async () => {
  const systems = tempDir();
  const system = join(systems, 'nerves_system_nbpr_example-portable-0.1.0');
  cpSync(exampleSystem, system, { recursive: true });
  writeFileSync(join(system, '.config'), readFileSync(join(system, '.config'), 'utf8').replace('BR2_TOOLCHAIN_HAS_THREADS=y', '# BR2_TOOLCHAIN_HAS_THREADS is not set'));
  await assert.rejects(buildFromSource(await input('jq', system)), (e: unknown) => {
    assert.ok(e instanceof NbprError);
    assert.match(e.format(), /BR2_PACKAGE_JQ=y was dropped by Buildroot: its "depends on BR2_TOOLCHAIN_HAS_THREADS" is not met \(BR2_TOOLCHAIN_HAS_THREADS is not set\)/);
    assert.match(e.format(), /needs? a system change/);
    return true;
  });
});

test('a failing build shows the last lines of its log and where the log is', async () => {
  const broken = tempDir();
  cpSync(double, broken, { recursive: true });
  writeFileSync(join(broken, 'package', 'oniguruma', 'src', 'onig.c'), 'this is not C\n');
  await assert.rejects(buildFromSource({ ...(await input('jq')), tree: broken, buildRoot: join(tempDir(), 'b') }), (e: unknown) => {
    assert.ok(e instanceof NbprError);
    assert.match(e.format(), /make jq jq-legal-info failed/);
    assert.match(e.format(), /jq\.log/);
    assert.match(e.format(), /onig\.c/);
    return true;
  });
});

test('the Buildroot tree must be the version the system was built with, or be provided', async () => {
  await assert.rejects(locateBuildroot('2025.02', { NBPR_BUILDROOT_DIR: double }), /Buildroot 2026\.05\.1 cannot build for a system made with Buildroot 2025\.02/);
  await assert.rejects(locateBuildroot('2026.05.1', { XDG_DATA_HOME: tempDir() }), /no Buildroot 2026\.05\.1 tree .* cannot download one/);
  assert.equal(await locateBuildroot('2026.05.1', { NBPR_BUILDROOT_DIR: double }), double);
});

test('a release tarball is unpacked only when its sha256 matches the pin', async () => {
  const data = tempDir();
  const tarball = join(tempDir(), 'buildroot-2026.05.1.tar.gz');
  require('node:child_process').execFileSync('tar', ['-czf', tarball, '-C', join(double, '..'), 'buildroot-double']);
  const sha = require('node:crypto').createHash('sha256').update(readFileSync(tarball)).digest('hex');
  await assert.rejects(locateBuildroot('2026.05.1', { XDG_DATA_HOME: data, NBPR_BUILDROOT_TARBALL: tarball }, { '2026.05.1': '0'.repeat(64) }), /has sha256 .* expected 0{64}/);
  const tree = await locateBuildroot('2026.05.1', { XDG_DATA_HOME: data, NBPR_BUILDROOT_TARBALL: tarball }, { '2026.05.1': sha });
  assert.match(readFileSync(join(tree, 'Makefile'), 'utf8'), /BR2_VERSION := 2026\.05\.1/);
});

test('the container backend runs the system nerves_system_br image, never :latest', async () => {
  assert.equal(containerImage('v1.34.0'), 'ghcr.io/nerves-project/nerves_system_br:1.34.0');
  assert.deepEqual(await chooseBackend('v1.34.0', { NBPR_BUILD_BACKEND: 'podman' }), { kind: 'container', engine: 'podman', image: 'ghcr.io/nerves-project/nerves_system_br:1.34.0' });
  assert.deepEqual(await chooseBackend('v1.34.0', {}, 'linux'), { kind: 'native' });
  const cmd = makeCommand({ kind: 'container', engine: 'docker', image: containerImage('v1.34.0') }, '/br', ['O=/out', 'jq'], ['/out', '/ext']);
  assert.deepEqual(cmd, { file: 'docker', args: ['run', '--rm', '-v', '/br:/br', '-v', '/out:/out', '-v', '/ext:/ext', '-w', '/br', '-e', 'SOURCE_DATE_EPOCH', 'ghcr.io/nerves-project/nerves_system_br:1.34.0', 'make', 'O=/out', 'jq'] });
  await assert.rejects(chooseBackend('v1.34.0', { NBPR_BUILD_BACKEND: 'lxc' }), /unknown build backend 'lxc'/);
});

test("target-finalize's fix-rpath and strip are applied: no build-dir RUNPATH, no .comment, and exactly two make passes", async () => {
  const built = await buildFromSource(await input('jq'));
  const tree = join(tempDir(), 'x');
  execFileSync('mkdir', ['-p', tree]);
  execFileSync('tar', ['-xzf', built.file, '-C', tree]);
  const dynamic = execFileSync('readelf', ['-d', join(tree, 'target/usr/bin/jq')], { encoding: 'utf8' });
  assert.match(dynamic, /\(RUNPATH\)\s+Library runpath: \[\]/, 'the .libs RUNPATH libtool leaves is emptied, as fix-rpath empties it');
  assert.doesNotMatch(readFileSync(join(tree, 'target/usr/bin/jq')).toString('latin1'), /\.libs/);
  const sections = execFileSync('readelf', ['-S', join(tree, 'target/usr/lib/libjq.so.1.0.4')], { encoding: 'utf8' });
  assert.doesNotMatch(sections, /\.comment/, 'libraries are stripped with STRIPCMD too, not --strip-unneeded');
  const makes = readFileSync(built.logFile, 'utf8').split('\n').filter((l) => l.startsWith('$ make'));
  assert.equal(makes.length, 2, `one configuration pass and one build pass:\n${makes.join('\n')}`);
  assert.ok(built.seconds.make > 0 && built.seconds.total >= built.seconds.make);
});

test('Buildroot step lines are read with or without the escape codes it adds when TERM is set', () => {
  assert.equal(buildrootStep('\x1b[7m>>> jq 1.8.2 Building\x1b[27m'), 'jq 1.8.2 Building');
  assert.equal(buildrootStep('>>> toolchain-external-custom  Extracting'), 'toolchain-external-custom  Extracting');
  assert.equal(buildrootStep('checking for gcc... yes'), null);
});

test("the toolchain Nerves already has is put where Buildroot looks, so nothing is downloaded; without it the offline build fails in Buildroot's download", async () => {
  const lines: string[] = [];
  const scratch = tempDir();
  const env = { ...process.env, ...doubleBuildEnv(scratch), HOME: scratch };
  await buildFromSource({ ...(await input('nbpr-heartbeat')), env, buildRoot: join(scratch, 'b'), progress: (l) => lines.push(l) });
  assert.ok(lines.some((l) => /toolchain nerves_toolchain_aarch64_nerves_linux_gnu-linux_\w+-12\.2\.0-NBPREX1\.tar\.xz from .*nerves-dl/.test(l)), lines.join('\n'));
  assert.ok(readdirSync(join(env.NERVES_BR_DL_DIR!, 'toolchain-external-custom')).some((f) => f.endsWith('.tar.xz')), "seeded into Buildroot's download dir, outside the tree");
  const bare = tempDir();
  const without = { ...process.env, NERVES_DL_DIR: join(bare, 'nothing'), NERVES_BR_DL_DIR: join(bare, 'dl'), HOME: bare };
  const noted: string[] = [];
  await assert.rejects(buildFromSource({ ...(await input('nbpr-heartbeat')), env: without, buildRoot: join(bare, 'b'), progress: (l) => noted.push(l) }), (e: unknown) => e instanceof NbprError && /download failed/.test(e.format()));
  assert.ok(noted.some((l) => /is not on this machine .*Buildroot downloads it from https:\/\/github\.com\//.test(l)), noted.join('\n'));
});

test("a system built with nerves_system_br needs its tree, and the build gets NERVES_DEFCONFIG_DIR", async () => {
  await assert.rejects(buildFromSource({ ...(await input('nbpr-heartbeat')), nervesSystemBr: undefined }), (e: unknown) => e instanceof NbprError && /nerves_system_br v1\.34\.0 as BR2_EXTERNAL/.test(e.message) && /NBPR_NERVES_SYSTEM_BR_DIR/.test(e.format()));
  const built = await buildFromSource(await input('nbpr-heartbeat'));
  const dotConfig = readFileSync(join(dirname(built.logFile), 'output', '.config'), 'utf8');
  assert.match(dotConfig, /^NERVES_SYSTEM="BR2_EXTERNAL"$/m, "nerves_system_br's own symbol, as real Kconfig writes it");
  assert.doesNotMatch(dotConfig, /^NERVES_DEFCONFIG_DIR=/m, 'option env symbols are not written');
});
