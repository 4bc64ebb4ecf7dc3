import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
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
  for (const name of ['jq', 'dnsmasq', 'htop', 'iperf3', 'tcpdump', 'libpcap', 'strace', 'chrony', 'wireguard-tools']) {
    assert.ok(catalogue.has(name), `${name} is missing`);
  }
});

for (const name of catalogue.names().filter((n) => 'package' in catalogue.get(n).metadata.buildroot)) {
  test(`${name} matches Buildroot 2026.05.1`, () => {
    const m = catalogue.get(name).metadata;
    const br = (m.buildroot as { package: string }).package;
    const f = facts[br];
    assert.ok(f, `no Buildroot package ${br}`);
    assert.equal(m.version.replace(/\+nbpr\.\d+$/, ''), f.version, 'version');
    assert.equal(m.homepage, f.homepage, 'homepage');
    for (const [option, spec] of Object.entries(m.options ?? {})) {
      if (spec.type === 'enum') continue;
      const real = f.options.find((o) => o.symbol === spec.kconfig);
      assert.ok(real, `option ${option} maps to ${spec.kconfig}, which is not a sub-option of ${br}`);
      if (spec.type === 'boolean') {
        assert.equal(real.type, 'bool');
        assert.equal(spec.default, real.default?.[0] === 'y', `default of ${option} differs from Buildroot's`);
      }
    }
    assert.ok(m.targets.every((t) => t.startsWith('nerves_system_')), 'targets name real Nerves systems');
  });
}

test('tcpdump depends on libpcap, as Buildroot selects it', () => {
  assert.ok(facts.tcpdump.selects.includes('BR2_PACKAGE_LIBPCAP'));
  assert.deepEqual(catalogue.dependencyClosure('tcpdump'), ['libpcap']);
});

test('daemons run in the foreground and name a path inside the package', () => {
  for (const name of ['dnsmasq', 'chrony', 'nbpr-heartbeat']) {
    for (const daemon of Object.values(catalogue.get(name).metadata.daemons ?? {})) {
      assert.ok(daemon.foregroundArgs?.length, `${name} forces the foreground`);
      assert.doesNotMatch(daemon.path, /^\//);
    }
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
