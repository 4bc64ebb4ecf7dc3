import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { checkCatalogue, factsFromTree } from '@nbpr/buildroot';
import { tempDir } from './support/temp';
import { join } from 'node:path';
import { Catalogue, loadFirmwareProfile, readSystem } from '@nbpr/model';
import { buildrootPackages, repoRoot } from './support/reference';

// The catalogue must say what Buildroot 2026.05.1 really builds: checked against the facts
// extracted from the real tree (test/fixtures/buildroot-2026.05.1-packages.json).

const packageFiles = ['packages', 'examples/packages'].flatMap((dir) =>
  readdirSync(join(repoRoot, dir))
    .map((name) => join(repoRoot, dir, name, 'nbpr.json'))
    .filter((f) => existsSync(f)),
);
const catalogue = Catalogue.load(packageFiles, repoRoot);
const facts = buildrootPackages();

test('the catalogue has the packages Nerves developers ask for', () => {
  const wanted = ['jq', 'dnsmasq', 'htop', 'iperf3', 'tcpdump', 'libpcap', 'strace', 'chrony', 'wireguard-tools', 'gpsd', 'pps-tools', 'iptables', 'nftables', 'libcap', 'kmod', 'can-utils', 'i2c-tools', 'ethtool', 'iw', 'socat', 'rsync', 'tmux', 'nano', 'sqlite', 'mosquitto', 'lighttpd', 'hostapd', 'libgpiod2', 'lz4', 'mtd'];
  assert.ok(catalogue.names().filter((n) => !n.startsWith('nbpr-')).length >= 30, 'at least 30 packages');
  for (const name of wanted) {
    assert.ok(catalogue.has(name), `${name} is missing`);
  }
});

test('every catalogue package built from Buildroot agrees with Buildroot 2026.05.1 (nbpr check-catalogue)', () => {
  const { checked, problems } = checkCatalogue(catalogue, facts);
  assert.deepEqual(problems, []);
  assert.deepEqual(checked, catalogue.names().filter((n) => 'package' in catalogue.get(n).metadata.buildroot));
  for (const name of checked) assert.ok(catalogue.get(name).metadata.targets.every((t) => t.startsWith('nerves_system_')), `${name}: targets name real Nerves systems`);
});

test('the catalogue check reports a version, an option default and a dependency that disagree with Buildroot', () => {
  const changed = structuredClone(facts);
  changed.jq.version = '1.9.0';
  changed.dnsmasq.options.find((o) => o.symbol === 'BR2_PACKAGE_DNSMASQ_TFTP')!.default = null;
  changed.libpcap.selects = [];
  changed.jq.selects = ['BR2_PACKAGE_LIBPCAP'];
  const { problems } = checkCatalogue(catalogue, changed);
  assert.ok(problems.some((p) => /^jq \(Buildroot package jq\): version 1\.8\.2, Buildroot has 1\.9\.0$/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^dnsmasq .*BR2_PACKAGE_DNSMASQ_TFTP\) is boolean with default true; Buildroot has bool default n$/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^jq .*selects BR2_PACKAGE_LIBPCAP, so it needs the NBPR dependency libpcap$/.test(p)), problems.join('\n'));
  assert.equal(problems.length, 3);
});

test("Buildroot's facts are read from a tree: the .mk's version and licence (continued lines), the Config.in's homepage, description, selects and sub-options with prompts and defaults", () => {
  const tree = tempDir();
  mkdirSync(join(tree, 'package', 'foo-bar'), { recursive: true });
  writeFileSync(join(tree, 'Makefile'), 'export BR2_VERSION := 2026.05.1\n');
  writeFileSync(join(tree, 'package', 'foo-bar', 'foo-bar.mk'), 'FOO_BAR_VERSION = 2.1\nFOO_BAR_LICENSE = MIT (code), \\\n\tBSD-2-Clause (docs)\nHOST_FOO_BAR_VERSION = 9\n');
  writeFileSync(
    join(tree, 'package', 'foo-bar', 'Config.in'),
    'config BR2_PACKAGE_FOO_BAR\n\tbool "foo-bar"\n\tselect BR2_PACKAGE_LIBPCAP\n\thelp\n\t  Foo.\n\n\t  https://foo.example/\n\nif BR2_PACKAGE_FOO_BAR\n\nconfig BR2_PACKAGE_FOO_BAR_FAST\n\tbool "fast"\n\tdefault y\n\nconfig BR2_PACKAGE_FOO_BAR_NAME\n\tstring "name"\n\tdefault "x"\n\nendif\n',
  );
  assert.deepEqual(factsFromTree(tree, ['foo-bar', 'absent']), {
    'foo-bar': {
      version: '2.1',
      homepage: 'https://foo.example/',
      license: 'MIT (code), BSD-2-Clause (docs)',
      selects: ['BR2_PACKAGE_LIBPCAP'],
      options: [
        { symbol: 'BR2_PACKAGE_FOO_BAR_FAST', type: 'bool', default: ['y'], prompt: 'fast' },
        { symbol: 'BR2_PACKAGE_FOO_BAR_NAME', type: 'string', default: ['x'], prompt: 'name' },
      ],
      description: 'Foo.',
      dependencies: [],
    },
  });
});

test('nbpr check-catalogue fails listing every disagreement, without a stack trace', () => {
  const file = join(tempDir(), 'facts.json');
  const changed = structuredClone(facts);
  changed.htop.version = '0.1';
  writeFileSync(file, JSON.stringify({ packages: changed }));
  const { NODE_OPTIONS: _, ...env } = process.env;
  const bad = spawnSync(process.execPath, [join(repoRoot, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), 'check-catalogue', '--facts', file], { cwd: repoRoot, env, encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /the catalogue disagrees with Buildroot in 1 place\(s\):\n  htop \(Buildroot package htop\): version [^,]+, Buildroot has 0\.1/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  const good = spawnSync(process.execPath, [join(repoRoot, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), 'check-catalogue', '--facts', join(repoRoot, 'test', 'fixtures', 'buildroot-2026.05.1-packages.json')], { cwd: repoRoot, env, encoding: 'utf8' });
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /check-catalogue: 34 packages agree/);
  const notATree = spawnSync(process.execPath, [join(repoRoot, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), 'check-catalogue', '--buildroot-dir', tempDir()], { cwd: repoRoot, env, encoding: 'utf8' });
  assert.equal(notATree.status, 1);
  assert.match(notATree.stderr, /: not a Buildroot tree \(no Makefile declaring BR2_VERSION\)[^]*code: buildroot\/not-a-tree/, 'not 34 packages "not in Buildroot"');
  const notJson = join(tempDir(), 'facts.json');
  writeFileSync(notJson, '{\n  "packages": oops\n}\n');
  const malformed = spawnSync(process.execPath, [join(repoRoot, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), 'check-catalogue', '--facts', notJson], { cwd: repoRoot, env, encoding: 'utf8' });
  assert.equal(malformed.status, 1);
  assert.match(malformed.stderr, /facts\.json:2:\d+: cannot read the facts file: malformed JSON[^]*code: buildroot\/unreadable-facts/);
});

test('tcpdump depends on libpcap, as Buildroot selects it', () => {
  assert.ok(facts.tcpdump.selects.includes('BR2_PACKAGE_LIBPCAP'));
  assert.deepEqual(catalogue.dependencyClosure('tcpdump'), ['libpcap']);
});

test('daemons run in the foreground and name a path inside the package', () => {
  for (const name of ['dnsmasq', 'chrony', 'nbpr-heartbeat', 'gpsd', 'lighttpd']) {
    for (const daemon of Object.values(catalogue.get(name).metadata.daemons ?? {})) {
      assert.ok(daemon.foregroundArgs?.length, `${name} forces the foreground`);
      assert.doesNotMatch(daemon.path, /^\//);
    }
  }
  // mosquitto and hostapd stay in the foreground unless told otherwise (-d, -B): nothing tells them.
  for (const [name, daemonize] of [['mosquitto', '-d'], ['hostapd', '-B']]) {
    const daemons = Object.values(catalogue.get(name).metadata.daemons ?? {});
    assert.equal(daemons.length, 1, `${name} has its daemon`);
    assert.ok(![...(daemons[0].foregroundArgs ?? []), ...(daemons[0].args ?? [])].includes(daemonize), `${name} is not told ${daemonize}`);
  }
});

for (const name of ['nbpr-hello', 'nbpr-heartbeat']) {
  test(`${name} has a BR2_EXTERNAL tree Buildroot accepts`, () => {
    const tree = catalogue.get(name).externalTree!;
    const symbolName = 'NBPR_' + name.replace(/^nbpr-/, '').toUpperCase().replace(/-/g, '_');
    assert.match(readFileSync(join(tree, 'external.desc'), 'utf8'), new RegExp(`^name: ${symbolName}$`, 'm'));
    assert.match(readFileSync(join(tree, 'Config.in'), 'utf8'), new RegExp(`\\$BR2_EXTERNAL_${symbolName}_PATH/package/${name}/Config.in`));
    assert.match(readFileSync(join(tree, 'external.mk'), 'utf8'), new RegExp(`BR2_EXTERNAL_${symbolName}_PATH`));
    const pkg = join(tree, 'package', name);
    assert.match(readFileSync(join(pkg, `${name}.mk`), 'utf8'), /\$\(eval \$\(generic-package\)\)/);
    const license = readFileSync(join(pkg, 'src', 'LICENSE'));
    const hash = createHash('sha256').update(license).digest('hex');
    assert.match(readFileSync(join(pkg, `${name}.hash`), 'utf8'), new RegExp(`^sha256  ${hash}  LICENSE$`, 'm'), '.hash matches LICENSE');
  });
}

test('the example firmware names existing packages and a real option', () => {
  const profile = loadFirmwareProfile(join(repoRoot, 'examples', 'firmware', 'nbpr.firmware.json'), repoRoot);
  for (const name of Object.keys(profile.metadata.packages)) assert.ok(catalogue.has(name), name);
});

test('the example system is a Nerves system artefact written by Buildroot 2026.05.1', () => {
  const system = readSystem(join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0'));
  assert.equal(system.id, 'nerves_system_nbpr_example@0.1.0');
  assert.equal(system.buildrootVersion, '2026.05.1');
  assert.equal(system.arch, 'aarch64');
  assert.equal(system.toolchainTuple, 'aarch64-nerves-linux-gnu');
  assert.equal(system.config.get('BR2_PACKAGE_LIBP11'), 'y');
  assert.equal(system.config.get('BR2_PACKAGE_LIBOPENSSL'), 'y', 'libp11 forces libopenssl');
  assert.equal(system.config.get('BR2_PACKAGE_LIBRESSL') ?? 'n', 'n');
  assert.equal(system.config.get('NERVES_SYSTEM'), '"BR2_EXTERNAL"', "nerves_system_br's own symbol");
  assert.equal(system.config.get('BR2_EXTERNAL_NAMES'), '"NERVES"');
  assert.equal(system.config.get('BR2_TOOLCHAIN_EXTERNAL_DOWNLOAD'), 'y', 'the toolchain named as real Nerves systems name it');
  assert.match(system.config.get('BR2_TOOLCHAIN_EXTERNAL_URL')!, /^"https:\/\/github\.com\/nerves-project\/toolchains\/releases\/download\/v[\d.]+\/nerves_toolchain_aarch64_nerves_linux_gnu-linux_\$\{shell uname -m\}-[\d.]+-\w+\.tar\.xz"$/);
  const text = readFileSync(join(system.dir, '.config'), 'utf8');
  assert.doesNotMatch(text, /(\/tmp|\/home|\/build|\/var)\//, 'no machine paths (only the canonical /nerves/env of the nerves_system_br container)');
  const legal = system.legalInfoDir!;
  for (const line of readFileSync(join(legal, 'legal-info.sha256'), 'utf8').trim().split('\n')) {
    const [hash, file] = line.split('  ');
    assert.equal(createHash('sha256').update(readFileSync(join(legal, file))).digest('hex'), hash, file);
  }
  assert.match(readFileSync(join(legal, 'manifest.csv'), 'utf8'), /^"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"\n/);
});
