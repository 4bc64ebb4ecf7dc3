import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync as copyFileSyncFrom, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { ArtefactStore, openStore, readElfDynamic } from '@nbpr/artefact';
import { Catalogue, NbprError, readSystem, systemIdentity } from '@nbpr/model';
import { resolvePackage, type ResolvedPackage } from '@nbpr/resolve';
import { fetchArtefact, publishArtefact, siteFor } from '@nbpr/sites';
import { toolchainArtefactName as artefactName, toolchainDownload } from '@nbpr/nerves-artifacts';
import { buildFromSource, chooseBackend, obtainBuildroot } from '../src';
import { containerImage, makeCommand } from '../src/backend';
import { SourceBuildInput } from '../src/build-package';
import { harvest } from '../src/harvest';
import { seedToolchain } from '../src/nerves-toolchain';
import { treeVersion } from '../src/tree-version';
import { buildrootStep } from '../src/run-make';
import { stripSettings, stripTree } from '../src/strip';
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
  const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
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
  const outcome = await fetchArtefact({ name: 'nbpr-heartbeat', key: resolved.key, tag: resolved.tag }, [site], openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') }));
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

test('NBPR_BUILDROOT_DIR must be the version the system was built with', async () => {
  const system = readSystem(exampleSystem);
  const lockFile = join(tempDir(), 'lock.json');
  const old = { ...system, buildrootVersion: '2025.02' };
  await assert.rejects(obtainBuildroot({ system: old, needsNervesSystemBr: false, lockFile, env: { NBPR_BUILDROOT_DIR: double } }), /Buildroot 2026\.05\.1 cannot build for a system made with Buildroot 2025\.02/);
  assert.deepEqual(await obtainBuildroot({ system, needsNervesSystemBr: true, lockFile, env: { NBPR_BUILDROOT_DIR: double, NBPR_NERVES_SYSTEM_BR_DIR: nervesSystemBrDouble } }), { tree: double, nervesSystemBr: nervesSystemBrDouble });
});

test("Buildroot is obtained as Nerves obtains it: downloaded, recorded in the lock file, patched with nerves_system_br's patches in order, cached; a changed tarball is refused", async () => {
  const src = tempDir();
  const brTop = join(src, 'buildroot-2026.05.1');
  cpSync(double, brTop, { recursive: true, verbatimSymlinks: true });
  const nsbrTop = join(src, 'nerves_system_br-1.34.0');
  cpSync(nervesSystemBrDouble, nsbrTop, { recursive: true });
  writeFileSync(join(nsbrTop, 'create-build.sh'), '#!/bin/sh\nNERVES_BR_VERSION=2026.05\n');
  mkdirSync(join(nsbrTop, 'patches', 'buildroot'), { recursive: true });
  writeFileSync(join(nsbrTop, 'patches', 'buildroot', '0001-add.patch'), '--- /dev/null\n+++ b/NERVES-PATCHED\n@@ -0,0 +1 @@\n+one\n');
  writeFileSync(join(nsbrTop, 'patches', 'buildroot', '0002-change.patch'), '--- a/NERVES-PATCHED\n+++ b/NERVES-PATCHED\n@@ -1 +1 @@\n-one\n+two\n');
  const files = new Map<string, Buffer>();
  const pack = (top: string) => {
    const out = join(src, `${top.split('/').pop()}.tar.gz`);
    execFileSync('tar', ['-czf', out, '-C', src, top.split('/').pop()!]);
    return readFileSync(out);
  };
  files.set('/downloads/buildroot-2026.05.1.tar.gz', pack(brTop));
  files.set('/nsbr/v1.34.0.tar.gz', pack(nsbrTop));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url!);
    const body = files.get(req.url!);
    res.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sites = { NBPR_BUILDROOT_SITES: `${base}/missing ${base}/downloads`, NBPR_NERVES_SYSTEM_BR_SITES: `${base}/nsbr` };
  const system = readSystem(exampleSystem);
  const lockFile = join(tempDir(), 'nbpr.sources.lock.json');
  try {
    const data = tempDir();
    const lines: string[] = [];
    const trees = await obtainBuildroot({ system, needsNervesSystemBr: true, lockFile, env: { XDG_DATA_HOME: data, ...sites }, progress: (l) => lines.push(l) });
    assert.equal(treeVersion(trees.tree), '2026.05.1');
    assert.equal(readFileSync(join(trees.tree, 'NERVES-PATCHED'), 'utf8'), 'two\n', 'both patches, in order');
    assert.ok(existsSync(join(trees.nervesSystemBr!, 'external.desc')));
    assert.ok(requests.includes('/missing/buildroot-2026.05.1.tar.gz') && requests.includes('/downloads/buildroot-2026.05.1.tar.gz'), "Nerves' mirror after the official site");
    const lock = JSON.parse(readFileSync(lockFile, 'utf8')).files;
    assert.match(lock['buildroot-2026.05.1.tar.gz'], /^sha256:[0-9a-f]{64}$/);
    assert.match(lock['nerves_system_br-v1.34.0.tar.gz'], /^sha256:[0-9a-f]{64}$/);
    assert.ok(lines.some((l) => /nerves_system_br v1\.34\.0 names 2026\.05: using 2026\.05\.1/.test(l)), lines.join('\n'));
    assert.ok(!readdirSync(join(data, 'nerves', 'nbpr', 'buildroot')).some((d) => d.includes('partial')), 'no temporary sibling left');

    requests.length = 0;
    assert.deepEqual(await obtainBuildroot({ system, needsNervesSystemBr: true, lockFile, env: { XDG_DATA_HOME: data, ...sites } }), trees);
    assert.deepEqual(requests, [], 'the cached trees are used without a download');

    files.set('/downloads/buildroot-2026.05.1.tar.gz', Buffer.concat([files.get('/downloads/buildroot-2026.05.1.tar.gz')!, Buffer.alloc(512)]));
    const other = tempDir();
    await assert.rejects(obtainBuildroot({ system, needsNervesSystemBr: true, lockFile, env: { XDG_DATA_HOME: other, ...sites } }), (e: unknown) => e instanceof NbprError && /buildroot-2026\.05\.1\.tar\.gz has sha256:[0-9a-f]+, but the workspace recorded sha256:/.test(e.message));
    assert.ok(!existsSync(join(other, 'nerves', 'nbpr', 'buildroot')), 'nothing unpacked from a refused tarball');
    assert.ok(!existsSync(join(other, 'nerves', 'nbpr', 'dl', 'buildroot-2026.05.1.tar.gz')), 'nor kept');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const offline = tempDir();
  await assert.rejects(obtainBuildroot({ system, needsNervesSystemBr: true, lockFile, env: { XDG_DATA_HOME: offline, ...sites } }), (e: unknown) => e instanceof NbprError && /could not download nerves_system_br-v1\.34\.0\.tar\.gz/.test(e.message) && /put it at .*nerves_system_br-v1\.34\.0\.tar\.gz/.test(e.format()));
});

test('the container backend runs the system nerves_system_br image, never :latest', async () => {
  assert.equal(containerImage('v1.34.0'), 'ghcr.io/nerves-project/nerves_system_br:1.34.0');
  assert.deepEqual(await chooseBackend('v1.34.0', { NBPR_BUILD_BACKEND: 'podman' }), { kind: 'container', engine: 'podman', image: 'ghcr.io/nerves-project/nerves_system_br:1.34.0' });
  assert.deepEqual(await chooseBackend('v1.34.0', {}, 'linux'), { kind: 'native' });
  const cmd = makeCommand({ kind: 'container', engine: 'docker', image: containerImage('v1.34.0') }, '/br', ['O=/out', 'jq'], ['/out', '/ext']);
  assert.deepEqual(cmd, { file: 'docker', args: ['run', '--rm', '-v', '/br:/br', '-v', '/out:/out', '-v', '/ext:/ext', '-w', '/br', '-e', 'SOURCE_DATE_EPOCH', '-e', 'BR2_DL_DIR', '-e', 'NERVES_DEFCONFIG_DIR', '-e', 'TERM', 'ghcr.io/nerves-project/nerves_system_br:1.34.0', 'make', 'O=/out', 'jq'] });
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
  const env: Record<string, string | undefined> = { ...process.env, ...doubleBuildEnv(scratch), HOME: scratch };
  await buildFromSource({ ...(await input('nbpr-heartbeat')), env, buildRoot: join(scratch, 'b'), progress: (l) => lines.push(l) });
  assert.ok(lines.some((l) => /toolchain nerves_toolchain_aarch64_nerves_linux_gnu-linux_\w+-12\.2\.0-480883B\.tar\.xz from .*nerves-dl/.test(l)), lines.join('\n'));
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

test('a file the files list names that the harvest cannot find is an error naming the package and the file', async () => {
  const from = tempDir();
  writeFileSync(join(from, 'present'), 'x');
  await assert.rejects(harvest(['present', 'usr/lib/libgone.so.1'], from, join(tempDir(), 'to'), 'libgone'), (e: unknown) => e instanceof NbprError && /1 file that Buildroot lists as installed by libgone is not in .*: usr\/lib\/libgone\.so\.1/.test(e.message));
});

test("a strip that cannot run says why, not an empty message", async () => {
  const root = tempDir();
  copyFileSyncFrom('/bin/true', join(root, 'tool'));
  const settings = stripSettings(new Map([['BR2_STRIP_strip', 'y']]), `${join(root, 'host', 'bin', 'missing-strip')} --remove-section=.comment --remove-section=.note`);
  await assert.rejects(stripTree(root, [{ path: 'tool', mode: 0o755 }], settings), (e: unknown) => e instanceof NbprError && /strip failed on tool: \S+/.test(e.message) && /ENOENT|not found|No such file/.test(e.message));
});

test("an unpacked toolchain in Nerves' artifacts dir is packed where Buildroot looks, with the release's top directory", async () => {
  const config = readSystem(exampleSystem).config;
  const wanted = toolchainDownload(config)!;
  const artifacts = tempDir();
  const unpacked = join(artifacts, artefactName(wanted.file));
  mkdirSync(join(unpacked, 'bin'), { recursive: true });
  writeFileSync(join(unpacked, 'bin', 'aarch64-nerves-linux-gnu-gcc'), '#!/bin/sh\n');
  const dl = tempDir();
  const how = await seedToolchain(config, dl, [artifacts], { HOME: tempDir() });
  assert.match(how!, /packed from .*nerves_toolchain_aarch64_nerves_linux_gnu-linux_\w+-12\.2\.0$/);
  const listing = execFileSync('tar', ['-tJf', join(dl, 'toolchain-external-custom', wanted.file)], { encoding: 'utf8' });
  assert.match(listing, new RegExp(`^${artefactName(wanted.file)}/bin/aarch64-nerves-linux-gnu-gcc$`, 'm'));
  assert.equal(await seedToolchain(config, dl, [], { HOME: tempDir() }), `toolchain ${wanted.file} already in ${join(dl, 'toolchain-external-custom')}`);
  assert.equal(await seedToolchain(config, tempDir(), [], { HOME: tempDir() }), null, 'not on this machine: Buildroot downloads it');
});
