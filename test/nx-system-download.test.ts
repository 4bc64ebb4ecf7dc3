import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseDotConfig } from '@nbpr/model';
import { nervesChecksum, SOURCES_LOCK_FILE, systemDownloadName, toolchainDownload } from '@nbpr/nerves-artifacts';
import { buildrootDouble, exampleSystemDir, nervesSystemBrDouble } from './support/buildroot-double';
import { copyWorkspace, runNxAsync } from './support/nx-workspace';
import { startReleaseServer } from './support/release-server';
import { tempDir } from './support/temp';

const APP = 'nerves_system_nbpr_example';
const VERSION = '0.2.0';
const ID = `${APP}@${VERSION}`;

/** The example system released as 0.2.0 the way Nerves releases a system, and its toolchain as Nerves' toolchains repository releases it. */
function releases() {
  const work = tempDir();
  const source = join(work, 'source');
  mkdirSync(source);
  writeFileSync(join(source, 'VERSION'), `${VERSION}\n`);
  writeFileSync(join(source, 'nerves_defconfig'), readFileSync(join(exampleSystemDir, '.config')));
  const checksum = nervesChecksum(source, ['nerves_defconfig', 'VERSION']);
  const file = systemDownloadName(APP, VERSION, checksum);
  const top = file.replace(/\.tar\.gz$/, '');
  cpSync(exampleSystemDir, join(work, 'pack', top), { recursive: true });
  execFileSync('tar', ['-czf', join(work, file), '-C', join(work, 'pack'), top]);

  const toolchain = toolchainDownload(parseDotConfig(readFileSync(join(exampleSystemDir, '.config'), 'utf8')).symbols)!;
  const toolchainTop = join(work, 'toolchain', toolchain.file.replace(/-[0-9A-F]+\.tar\.xz$/, ''));
  mkdirSync(join(toolchainTop, 'bin'), { recursive: true });
  writeFileSync(join(toolchainTop, 'README'), 'Stand-in for a Nerves toolchain (Buildroot test double)\n');
  execFileSync('tar', ['-cJf', join(work, toolchain.file), '-C', join(work, 'toolchain'), toolchainTop.split('/').pop()!]);
  return { system: { file, bytes: readFileSync(join(work, file)) }, toolchain: { ...toolchain, bytes: readFileSync(join(work, toolchain.file)) } };
}

test('on a machine without the system or its toolchain, fetch-or-build downloads both from their GitHub releases, shares them with Nerves, and builds from source', async () => {
  const made = releases();
  const server = await startReleaseServer();
  server.publish(`nerves-project/${APP}`, `v${VERSION}`, made.system.file, made.system.bytes);
  const toolchainPath = new URL(made.toolchain.url).pathname.slice(1).split('/'); // owner/repo/releases/download/tag/file
  server.publish(`${toolchainPath[0]}/${toolchainPath[1]}`, toolchainPath[4], made.toolchain.file, made.toolchain.bytes);

  const ws = copyWorkspace();
  const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
  nxJson.plugins[0].options.systems[ID] = {};
  writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));
  const machine = tempDir();
  const env = {
    NBPR_SYSTEM: ID,
    NBPR_GITHUB_URL: server.web,
    NBPR_GITHUB_API_URL: server.api,
    HOME: machine,
    NERVES_ARTIFACTS_DIR: join(machine, 'artifacts'),
    NERVES_DL_DIR: join(machine, 'dl'),
    NERVES_BR_DL_DIR: join(machine, 'buildroot-dl'),
    NBPR_BUILDROOT_DIR: buildrootDouble,
    NBPR_NERVES_SYSTEM_BR_DIR: nervesSystemBrDouble,
    NBPR_BUILD_ROOT: tempDir(),
    NBPR_CACHE_DIR: join(tempDir(), 'store'),
  };
  const run = await runNxAsync(ws, ['run', 'nbpr-hello:fetch-or-build'], env);
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /building from source/);
  assert.match(run.output, /Installing to target/);
  assert.ok(existsSync(join(env.NERVES_ARTIFACTS_DIR, `${APP}-portable-${VERSION}`, '.config')), "the system is unpacked where Nerves looks");
  assert.deepEqual(readdirSync(env.NERVES_DL_DIR).filter((f) => !f.endsWith('.lock')).sort(), [made.system.file, made.toolchain.file].sort(), "both release files kept in Nerves' download dir");
  const lock = JSON.parse(readFileSync(join(ws, SOURCES_LOCK_FILE), 'utf8')).files;
  assert.ok(lock[made.system.file] && lock[made.toolchain.file], 'both recorded in the workspace lock file');
  const downloads = server.requests.filter((r) => !r.path.startsWith('/api/'));
  assert.equal(downloads.length, 2, 'each file downloaded once');

  // Resolving again (another target, another process) downloads nothing.
  const again = await runNxAsync(ws, ['run', 'nbpr-hello:resolve', '--skip-nx-cache'], env);
  assert.equal(again.status, 0, again.output);
  assert.equal(server.requests.filter((r) => !r.path.startsWith('/api/')).length, 2);
});
