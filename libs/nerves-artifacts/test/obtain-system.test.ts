import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { NbprError, type PluginOptions } from '@nbpr/model';
import { loadSystem, nervesChecksum, obtainToolchain, SOURCES_LOCK_FILE, systemDownloadName } from '../src';
import { partialName } from '../src/download-file';
import { startReleaseServer, type ReleaseServer } from '../../../test/support/release-server';
import { systemArtefact } from '../../../test/support/fixtures';
import { tempDir } from '../../../test/support/temp';
import { rejectionText as failureText } from '../../../test/support/errors';

const APP = 'nerves_system_nbpr_test';
const VERSION = '0.3.1';
const ID = `${APP}@${VERSION}`;
const REPO = 'nerves-project/nerves_system_nbpr_test';

/** A small system release as Nerves publishes one: its source tree's checksum names the file, whose one top directory holds the artefact. */
function makeRelease(): { file: string; bytes: Buffer; checksum: string } {
  const work = tempDir();
  const source = join(work, 'source');
  mkdirSync(join(source, 'rootfs_overlay', 'etc'), { recursive: true });
  writeFileSync(join(source, 'mix.exs'), 'defmodule NervesSystemNbprTest.MixProject do end\n');
  writeFileSync(join(source, 'nerves_defconfig'), 'BR2_aarch64=y\n');
  writeFileSync(join(source, 'VERSION'), `${VERSION}\n`);
  writeFileSync(join(source, 'rootfs_overlay', 'etc', 'motd'), 'hello\n');
  const checksum = nervesChecksum(source, ['rootfs_overlay', 'mix.exs', 'nerves_defconfig', 'VERSION']);
  const file = systemDownloadName(APP, VERSION, checksum);
  const top = file.replace(/\.tar\.gz$/, '');
  const artefact = systemArtefact(join(work, 'pack'), APP, VERSION);
  execFileSync('mv', [artefact, join(work, 'pack', top)]);
  execFileSync('tar', ['-czf', join(work, file), '-C', join(work, 'pack'), top]);
  return { file, bytes: readFileSync(join(work, file)), checksum };
}

const release = makeRelease();

function workspace(server: ReleaseServer | undefined, systems: PluginOptions['systems'] = {}) {
  const root = tempDir();
  const env = {
    HOME: join(root, 'home'),
    NERVES_ARTIFACTS_DIR: join(root, 'artifacts'),
    NERVES_DL_DIR: join(root, 'dl'),
    NBPR_GITHUB_URL: server?.web ?? 'http://127.0.0.1:9',
    NBPR_GITHUB_API_URL: server?.api ?? 'http://127.0.0.1:9/api',
  };
  const options: PluginOptions = { defaultSystem: ID, systems };
  const lines: string[] = [];
  return { root, env, options, lines, load: () => loadSystem(ID, options, root, env, (line) => lines.push(line)) };
}

async function serving(): Promise<ReleaseServer> {
  const server = await startReleaseServer();
  server.publish(REPO, `v${VERSION}`, release.file, release.bytes);
  return server;
}

test("Nerves' checksum rule gives what Nerves.Artifact.checksum gave for the same tree (nested and hidden names, a symlink, a duplicate, a missing entry)", () => {
  // The expected value was printed by Nerves' own lib/nerves/artifact.ex, run on this tree.
  const sys = tempDir();
  for (const dir of ['rootfs_overlay/etc', 'rootfs_overlay/b', 'rootfs_overlay/b-c', '.hidden', 'fwup_include']) mkdirSync(join(sys, dir), { recursive: true });
  const files: Record<string, string> = { 'rootfs_overlay/etc/x': 'a', 'rootfs_overlay/b/y': 'b', 'rootfs_overlay/b-c/z': 'c', 'rootfs_overlay/.dot': 'd', 'rootfs_overlay/b.txt': 'e', 'mix.exs': 'f', VERSION: '0.1.0', 'fwup_include/i.conf': 'g' };
  for (const [path, text] of Object.entries(files)) writeFileSync(join(sys, path), `${text}\n`);
  symlinkSync('VERSION', join(sys, 'VLINK'));
  const checksum = nervesChecksum(sys, ['fwup_include', 'rootfs_overlay', 'mix.exs', 'VERSION', 'VLINK', 'missing.txt', 'VERSION']);
  assert.equal(checksum, 'F5727711B1913167D9332881D409ADD39828CE82B5BAC43A971624CD0C8CF82D');
  assert.equal(systemDownloadName('nerves_system_nbpr_test', '0.1.0', checksum), 'nerves_system_nbpr_test-portable-0.1.0-F572771.tar.gz');
});

test("a system not on the machine is downloaded from its GitHub release under Nerves' name, verified by GitHub's digest, unpacked as <app>-portable-<version>, and kept where Nerves looks", async () => {
  const server = await serving();
  const ws = workspace(server);
  const system = await ws.load();
  const dir = join(ws.env.NERVES_ARTIFACTS_DIR, `${APP}-portable-${VERSION}`);
  assert.equal(system.dir, dir);
  assert.equal(system.id, ID);
  assert.ok(existsSync(join(dir, '.config')) && existsSync(join(dir, 'staging')), 'the top directory was stripped, as Nerves strips it');
  assert.deepEqual(readdirSync(ws.env.NERVES_ARTIFACTS_DIR), [`${APP}-portable-${VERSION}`], 'nothing half-unpacked left beside it');
  assert.ok(existsSync(join(ws.env.NERVES_DL_DIR, release.file)), "the release file stays in Nerves' download dir, where mix deps.get finds it");
  assert.deepEqual(server.requests.map((r) => r.path), [`/api/repos/${REPO}/releases/tags/v${VERSION}`, `/${REPO}/releases/download/v${VERSION}/${release.file}`]);
  const lock = JSON.parse(readFileSync(join(ws.root, SOURCES_LOCK_FILE), 'utf8'));
  assert.equal(lock.files[release.file], `sha256:${createHash('sha256').update(release.bytes).digest('hex')}`);
  assert.ok(ws.lines.some((l) => l.includes(`downloading ${ID}`)));

  const before = server.requests.length;
  assert.equal((await ws.load()).dir, dir);
  assert.equal(server.requests.length, before, 'the second run asks nothing of the network');
});

test('a broken transfer is resumed where it broke, and a run killed mid-download is resumed by the next one', async () => {
  const server = await serving();
  const ws = workspace(server, { [ID]: { checksum: release.checksum } });
  const half = Math.floor(release.bytes.length / 2);
  server.cut(release.file, half);
  await ws.load();
  const downloads = server.requests.filter((r) => r.path.endsWith(release.file));
  assert.equal(downloads.length, 2, 'one broken transfer, one resumed');
  assert.equal(downloads[0].range, undefined);
  assert.match(downloads[1].range ?? '', /^bytes=\d+-$/);
  assert.ok(Number(downloads[1].range!.slice(6, -1)) > 0, 'the second transfer asked only for the rest');
  assert.deepEqual(server.requests.filter((r) => r.path.startsWith('/api/')).length, 1, 'the API is asked only for the digest');

  const killed = workspace(server, { [ID]: { checksum: release.checksum } });
  mkdirSync(killed.env.NERVES_DL_DIR, { recursive: true });
  writeFileSync(partialName(join(killed.env.NERVES_DL_DIR, release.file)), release.bytes.subarray(0, 1000));
  const seen = server.requests.length;
  await killed.load();
  assert.deepEqual(server.requests.slice(seen).filter((r) => r.path.endsWith(release.file)).map((r) => r.range), ['bytes=1000-']);
  assert.ok(!existsSync(partialName(join(killed.env.NERVES_DL_DIR, release.file))));
});

test('a release file whose sha256 is not the one nx.json or GitHub gives is refused, deleted, and nothing is unpacked', async () => {
  const server = await serving();
  const wrong = 'ab'.repeat(32);
  const ws = workspace(server, { [ID]: { sha256: wrong } });
  const message = await failureText(ws.load());
  assert.match(message, new RegExp(`${release.file.replace(/\./g, '\\.')} has sha256:[0-9a-f]{64}, but nx\\.json systems\\["${ID}"\\]\\.sha256 says sha256:${wrong}`));
  assert.ok(!existsSync(join(ws.env.NERVES_DL_DIR, release.file)), 'the bad file is gone');
  assert.ok(!existsSync(join(ws.env.NERVES_ARTIFACTS_DIR, `${APP}-portable-${VERSION}`)));

  const tampered = await startReleaseServer();
  tampered.publish(REPO, `v${VERSION}`, release.file, release.bytes, { digest: `sha256:${'cd'.repeat(32)}` });
  const other = workspace(tampered);
  assert.match(await failureText(other.load()), /GitHub's digest of the release asset is sha256:(cd){32}/);
});

test('offline, the error says what to download and where to put it, and a release file Nerves already downloaded is used without the network', async () => {
  const ws = workspace(undefined);
  const listing = await failureText(ws.load());
  assert.match(listing, new RegExp(`cannot list the release v${VERSION} of ${REPO}`));
  assert.match(listing, new RegExp(`${APP}-portable-${VERSION}-<checksum>\\.tar\\.gz`));
  assert.ok(listing.includes(ws.env.NERVES_DL_DIR), 'names the download dir');
  assert.doesNotMatch(listing, /\n\s+at /, 'no stack trace');

  const named = workspace(undefined, { [ID]: { checksum: release.checksum } });
  const download = await failureText(named.load());
  assert.ok(download.includes(`/${REPO}/releases/download/v${VERSION}/${release.file}`), 'names the URL');
  assert.ok(download.includes(join(named.env.NERVES_DL_DIR, release.file)), 'names where to put it');

  // What mix deps.get left in Nerves' download dir is enough.
  mkdirSync(ws.env.NERVES_DL_DIR, { recursive: true });
  writeFileSync(join(ws.env.NERVES_DL_DIR, release.file), release.bytes);
  assert.equal((await ws.load()).id, ID);
});

test('with the full Nerves checksum, CHECKSUM is written so that Nerves takes the unpacked directory as its own; a path in nx.json is never downloaded', async () => {
  const server = await serving();
  const ws = workspace(server, { [ID]: { checksum: release.checksum } });
  const system = await ws.load();
  assert.equal(readFileSync(join(system.dir, 'CHECKSUM'), 'utf8'), release.checksum);

  const wrongChecksum = workspace(server, { [ID]: { checksum: '0000000' } });
  assert.match(await failureText(wrongChecksum.load()), new RegExp(`has no ${APP}-portable-${VERSION}-0000000\\.tar\\.gz \\(assets: ${release.file.replace(/\./g, '\\.')}\\)[^]*mix nerves\\.artifact\\.details`));

  const pathOnly = workspace(server, { [ID]: { path: 'nowhere/system' } });
  const seen = server.requests.length;
  assert.match(await failureText(pathOnly.load()), /not found/);
  assert.equal(server.requests.length, seen);
});

test('NERVES_SYSTEM holding another system than the active one is refused', async () => {
  const root = tempDir();
  const dir = systemArtefact(join(root, 'other'), 'nerves_system_rpi5', '2.0.0');
  await assert.rejects(loadSystem('nerves_system_rpi4@2.0.4', { defaultSystem: 'nerves_system_rpi4@2.0.4' }, root, { NERVES_SYSTEM: dir }), (e: unknown) => e instanceof NbprError && /NERVES_SYSTEM points at nerves_system_rpi5@2\.0\.0, but the active system is nerves_system_rpi4@2\.0\.4/.test(e.message));
});

test("the toolchain a system's .config names is downloaded into Nerves' download dir once, recorded, and not at all when Nerves has it", async () => {
  const server = await startReleaseServer();
  const file = 'nerves_toolchain_aarch64_nerves_linux_gnu-linux_x86_64-13.2.0-0123ABC.tar.xz';
  server.publish('nerves-project/toolchains', 'v13.2.0', file, Buffer.from('a toolchain'));
  const config = new Map([
    ['BR2_TOOLCHAIN_EXTERNAL_DOWNLOAD', 'y'],
    ['BR2_TOOLCHAIN_EXTERNAL_CUSTOM', 'y'],
    ['BR2_TOOLCHAIN_EXTERNAL_URL', `"https://github.com/nerves-project/toolchains/releases/download/v13.2.0/${file}"`],
  ]);
  const ws = workspace(server);
  const lockFile = join(ws.root, SOURCES_LOCK_FILE);
  assert.match((await obtainToolchain({ config, lockFile, env: ws.env }))!, /downloaded/);
  assert.equal(readFileSync(join(ws.env.NERVES_DL_DIR, file), 'utf8'), 'a toolchain');
  assert.ok(JSON.parse(readFileSync(lockFile, 'utf8')).files[file]);
  assert.match((await obtainToolchain({ config, lockFile, env: ws.env }))!, /already in/);
  assert.equal(server.requests.length, 1);

  const unpacked = join(tempDir(), 'toolchain');
  mkdirSync(unpacked);
  const other = workspace(server);
  assert.match((await obtainToolchain({ config, lockFile: join(other.root, SOURCES_LOCK_FILE), env: { ...other.env, NERVES_TOOLCHAIN: unpacked } }))!, /Nerves has it unpacked/);
  assert.equal(server.requests.length, 1);
});
