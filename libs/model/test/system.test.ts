import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateSystem, NbprError, parseDotConfig, quoteKconfigString, readSystem, renderDotConfigFragment, unquoteKconfigString, PluginOptions } from '../src';
import { realDotConfig } from '../../../test/support/reference';
import { systemArtefact } from '../../../test/support/fixtures';
import { tempDir } from '../../../test/support/temp';
import { failureText } from '../../../test/support/errors';

const root = tempDir();
const options: PluginOptions = { defaultSystem: 'nerves_system_rpi4@2.0.4' };

test('the real Buildroot 2026.05.1 .config parses, unset symbols included', () => {
  const config = parseDotConfig(realDotConfig());
  assert.equal(config.buildrootVersion, '2026.05.1');
  assert.equal(config.symbols.get('BR2_ARCH'), '"aarch64"');
  assert.equal(config.symbols.get('BR2_PACKAGE_LIBP11'), 'y');
  assert.equal(config.symbols.get('NERVES_SYSTEM'), '"BR2_EXTERNAL"');
  assert.equal(config.symbols.get('BR2_arm'), 'n');
  assert.ok([...config.symbols.values()].filter((v) => v === 'n').length > 1000);
});

test("nerves_system_br's own symbols (not BR2_) parse as Kconfig symbols", () => {
  const config = parseDotConfig('# Buildroot 2026.05.1 Configuration\nBR2_HAVE_DOT_CONFIG=y\nNERVES_SYSTEM="BR2_EXTERNAL"\n# NERVES_X is not set\nBR2_NERVES_SYSTEM_NAME="x"\n', 'x/.config');
  assert.equal(config.symbols.get('NERVES_SYSTEM'), '"BR2_EXTERNAL"');
  assert.equal(config.symbols.get('NERVES_X'), 'n');
});

test('a line that is not Kconfig is an error naming file and line', () => {
  assert.throws(() => parseDotConfig('# Buildroot 2026.05.1 Configuration\nBR2_A=y\nnonsense\n', 'x/.config'), (e: unknown) => e instanceof NbprError && /x\/\.config:3: not a Kconfig line/.test(e.format()));
});

test('Kconfig strings round-trip through quoting', () => {
  for (const value of ['plain', 'with "quotes"', 'back\\slash', '']) assert.equal(unquoteKconfigString(quoteKconfigString(value)), value);
  assert.equal(renderDotConfigFragment({ BR2_B: 'n', BR2_A: 'y', BR2_C: '"x"' }), 'BR2_A=y\n# BR2_B is not set\nBR2_C="x"\n');
});

test('a system artefact reads app, version, Buildroot, arch, tuple and the .config hash', () => {
  const dir = systemArtefact(join(root, 'read'));
  const system = readSystem(dir);
  assert.equal(system.id, 'nerves_system_rpi4@2.0.4');
  assert.equal(system.buildrootVersion, '2026.05.1');
  assert.equal(system.arch, 'aarch64');
  assert.equal(system.toolchainTuple, 'aarch64-nerves-linux-gnu');
  assert.equal(system.nervesSystemBrVersion, 'v1.34.0');
  assert.match(system.configSha256, /^sha256:[0-9a-f]{64}$/);
  appendFileSync(join(dir, '.config'), '\n');
  assert.notEqual(readSystem(dir).configSha256, system.configSha256, 'one byte more changes the hash');
});

test('Nerves artefact directories are searched in Nerves order', () => {
  const home = join(root, 'home');
  const xdg = join(root, 'xdg');
  const artifacts = join(root, 'artifacts');
  const inHome = systemArtefact(join(home, '.nerves', 'artifacts'));
  const inXdg = systemArtefact(join(xdg, 'nerves', 'artifacts'));
  const inArtifacts = systemArtefact(artifacts);
  const id = 'nerves_system_rpi4@2.0.4';
  assert.equal(locateSystem({ id, env: {}, homedir: home }), inHome);
  assert.equal(locateSystem({ id, env: { XDG_DATA_HOME: xdg }, homedir: home }), inXdg);
  assert.equal(locateSystem({ id, env: { XDG_DATA_HOME: xdg, NERVES_ARTIFACTS_DIR: artifacts }, homedir: home }), inArtifacts);
  assert.equal(locateSystem({ id, env: { NERVES_SYSTEM: inHome, NERVES_ARTIFACTS_DIR: artifacts }, homedir: home }), inHome, 'NERVES_SYSTEM wins');
});

test('a system that is nowhere is an error listing every place looked', () => {
  assert.throws(
    () => locateSystem({ id: 'nerves_system_bbb@2.0.0', env: { NERVES_ARTIFACTS_DIR: '/nowhere/a' }, homedir: '/nowhere/home' }),
    (e: unknown) => e instanceof NbprError && /\/nowhere\/a\/nerves_system_bbb-portable-2\.0\.0/.test(e.format()) && /\/nowhere\/home\/\.nerves\/artifacts/.test(e.format()) && /NERVES_SYSTEM/.test(e.format()),
  );
});

test('missing or inconsistent artefacts are errors naming the place', () => {
  const base = join(root, 'broken');
  const noConfig = join(base, 'nerves_system_rpi4-portable-1.0.0');
  mkdirSync(noConfig, { recursive: true });
  assert.throws(() => readSystem(noConfig), /no \.config/);
  const mismatch = systemArtefact(base, 'nerves_system_rpi4', '2.0.4');
  const renamed = join(base, 'nerves_system_bbb-portable-2.0.4');
  require('node:fs').renameSync(mismatch, renamed);
  assert.throws(() => readSystem(renamed), /directory is named for nerves_system_bbb but its \.config is for nerves_system_rpi4/);
  const noTag = systemArtefact(join(base, 'notag'));
  rmSync(join(noTag, 'nerves-system.tag'));
  assert.throws(() => readSystem(noTag), /no nerves-system\.tag/);
  const noName = join(base, 'noname', 'x-portable-1');
  mkdirSync(join(noName, 'staging'), { recursive: true });
  writeFileSync(join(noName, '.config'), realDotConfig().replace(/^BR2_NERVES_SYSTEM_NAME=.*\n/m, ''));
  assert.throws(() => readSystem(noName), /BR2_NERVES_SYSTEM_NAME is not set/);
});

test('a system file that is there but cannot be read (.config, nerves-system.tag or VERSION a directory) is an error naming it', () => {
  const base = join(root, 'unreadable');
  const hint = 'must be a file this user can read. Use the artefact directory Nerves unpacked (it holds .config, staging/, legal-info/, images/ and nerves-system.tag).';
  const config = systemArtefact(join(base, 'config'));
  rmSync(join(config, '.config'));
  mkdirSync(join(config, '.config'));
  assert.equal(failureText(() => readSystem(config)), `${join(config, '.config')}: not a file: it is a directory\n  .config ${hint}\n  code: system/unreadable-file`);
  const tag = systemArtefact(join(base, 'tag'));
  rmSync(join(tag, 'nerves-system.tag'));
  mkdirSync(join(tag, 'nerves-system.tag'));
  assert.equal(failureText(() => readSystem(tag)), `${join(tag, 'nerves-system.tag')}: not a file: it is a directory\n  nerves-system.tag ${hint}\n  code: system/unreadable-file`);
  const unversioned = join(base, 'version', 'nerves_system_rpi4');
  require('node:fs').renameSync(systemArtefact(join(base, 'version')), unversioned);
  mkdirSync(join(unversioned, 'VERSION'));
  assert.match(failureText(() => readSystem(unversioned)), /VERSION: not a file: it is a directory\n  VERSION must be a file[\s\S]*code: system\/unreadable-file$/);
});

test("a system's nerves-system.tag or VERSION that is no version is refused naming the file: it names a download and a file", () => {
  for (const tag of ['v1.34.0 junk/../x', '../../etc', '\u0000\u0001']) {
    const dir = systemArtefact(tempDir());
    writeFileSync(join(dir, 'nerves-system.tag'), `${tag}\n`);
    assert.throws(() => readSystem(dir), (e: unknown) => e instanceof NbprError && e.code === 'system/not-an-artefact' && join(dir, 'nerves-system.tag') === e.where && /not a nerves_system_br version/.test(e.message), JSON.stringify(tag));
  }
  for (const tag of ['v1.34.0', 'v1.34.0-3-g1a2b3c4', 'v1.34.0+dirty']) {
    const dir = systemArtefact(tempDir());
    writeFileSync(join(dir, 'nerves-system.tag'), `${tag}\n`);
    assert.equal(readSystem(dir).nervesSystemBrVersion, tag);
  }
  const unversioned = join(tempDir(), 'nerves_system_rpi4');
  renameSync(systemArtefact(tempDir()), unversioned);
  writeFileSync(join(unversioned, 'VERSION'), '../2.0.4\n');
  assert.throws(() => readSystem(unversioned), (e: unknown) => e instanceof NbprError && e.code === 'system/unknown-version' && e.where === join(unversioned, 'VERSION'));
  writeFileSync(join(unversioned, 'VERSION'), '2.0.4\n');
  assert.equal(readSystem(unversioned).id, 'nerves_system_rpi4@2.0.4');
});
