import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKey } from '@nbpr/key';
import { Catalogue, loadFirmwareProfile, NbprError, type SystemIdentity } from '@nbpr/model';
import { resolveFirmware, resolvePackage, ResolvedPackage } from '../src';
import { kconfigRaw, packageSymbol } from '../src/kconfig-values';
import { mainlinePackage, writeJson } from '../../../test/support/fixtures';
import { tempDir } from '../../../test/support/temp';

const root = tempDir();
const rpi4: SystemIdentity = { app: 'nerves_system_rpi4', version: '2.0.4', buildroot: '2026.05.1', config: 'sha256:' + 'ab'.repeat(32) };

const dnsmasqOptions = {
  tftp: { type: 'boolean', description: 'tftp support', default: true, kconfig: 'BR2_PACKAGE_DNSMASQ_TFTP' },
  dhcp: { type: 'boolean', description: 'dhcp support', default: true, kconfig: 'BR2_PACKAGE_DNSMASQ_DHCP' },
  dnssec: { type: 'boolean', description: 'DNSSEC support', default: false, kconfig: 'BR2_PACKAGE_DNSMASQ_DNSSEC' },
};

function catalogue(dir: string, packages: Record<string, unknown>[]): Catalogue {
  return Catalogue.load(packages.map((p) => writeJson(join(root, dir, String(p.name), 'nbpr.json'), p)));
}

async function resolved(c: Catalogue, name: string, system = rpi4): Promise<ResolvedPackage> {
  const r = await resolvePackage({ catalogue: c, system }, name);
  assert.equal(r.status, 'resolved');
  return r as ResolvedPackage;
}

test('package symbols follow Buildroot upper-casing', () => {
  assert.equal(packageSymbol('wireguard-tools'), 'BR2_PACKAGE_WIREGUARD_TOOLS');
  assert.equal(packageSymbol('jq'), 'BR2_PACKAGE_JQ');
});

test('kconfig values are written as .config writes them', () => {
  assert.equal(kconfigRaw(true), 'y');
  assert.equal(kconfigRaw(false), 'n');
  assert.equal(kconfigRaw(42), '42');
  assert.equal(kconfigRaw('a "b" \\c'), '"a \\"b\\" \\\\c"');
});

test('defaults apply and map to their Buildroot symbols', async () => {
  const c = catalogue('defaults', [mainlinePackage('dnsmasq', { options: dnsmasqOptions })]);
  const r = await resolved(c, 'dnsmasq');
  assert.deepEqual(r.options, { tftp: true, dhcp: true, dnssec: false });
  assert.deepEqual(r.kconfig, { BR2_PACKAGE_DNSMASQ: 'y', BR2_PACKAGE_DNSMASQ_TFTP: 'y', BR2_PACKAGE_DNSMASQ_DHCP: 'y', BR2_PACKAGE_DNSMASQ_DNSSEC: 'n' });
  assert.equal(r.key, cacheKey(r.keyDocument));
  assert.match(r.key, /^[0-9a-f]{64}$/);
  assert.equal(r.tag, `2.92rel2-nerves_system_rpi4-2.0.4-${r.key.slice(0, 16)}`);
  assert.equal(r.keyDocument.tree, null);
});

test('a firmware override changes the options, the kconfig and the key', async () => {
  const c = catalogue('override', [mainlinePackage('dnsmasq', { options: dnsmasqOptions })]);
  const base = await resolved(c, 'dnsmasq');
  const profile = loadFirmwareProfile(writeJson(join(root, 'override', 'fw', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: 'nerves_system_rpi4@2.0.4', packages: { dnsmasq: { options: { dnssec: true } } } }));
  const [r] = (await resolveFirmware({ catalogue: c, system: rpi4, firmware: profile })) as ResolvedPackage[];
  assert.equal(r.options.dnssec, true);
  assert.equal(r.kconfig.BR2_PACKAGE_DNSMASQ_DNSSEC, 'y');
  assert.notEqual(r.key, base.key);
});

test('an unknown option in a firmware override is named with the closest option', async () => {
  const c = catalogue('unknown-option', [mainlinePackage('dnsmasq', { options: dnsmasqOptions })]);
  const profile = loadFirmwareProfile(writeJson(join(root, 'unknown-option', 'fw', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: 'nerves_system_rpi4@2.0.4', packages: { dnsmasq: { options: { dnsec: true } } } }));
  await assert.rejects(resolveFirmware({ catalogue: c, system: rpi4, firmware: profile }), (e: unknown) => {
    assert.ok(e instanceof NbprError);
    assert.match(e.format(), /nbpr\.firmware\.json:\d+:\d+ \/packages\/dnsmasq\/options\/dnsec: dnsmasq has no option 'dnsec'; did you mean 'dnssec'\?/);
    return true;
  });
});

test('a wrongly typed override is refused naming the option', async () => {
  const c = catalogue('bad-value', [mainlinePackage('dnsmasq', { options: dnsmasqOptions })]);
  const profile = loadFirmwareProfile(writeJson(join(root, 'bad-value', 'fw', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: 'nerves_system_rpi4@2.0.4', packages: { dnsmasq: { options: { dnssec: 'yes' } } } }));
  await assert.rejects(resolveFirmware({ catalogue: c, system: rpi4, firmware: profile }), /option 'dnssec' of dnsmasq must be true or false, got "yes"/);
});

test('a firmware listing an unknown package is refused with the closest name', async () => {
  const c = catalogue('unknown-package', [mainlinePackage('dnsmasq', { options: dnsmasqOptions })]);
  const profile = loadFirmwareProfile(writeJson(join(root, 'unknown-package', 'fw', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: 'nerves_system_rpi4@2.0.4', packages: { dnsmaq: {} } }));
  await assert.rejects(resolveFirmware({ catalogue: c, system: rpi4, firmware: profile }), /no NBPR package named 'dnsmaq'; did you mean 'dnsmasq'\?/);
});

test("a package's key covers its dependencies' kconfig", async () => {
  const pcapOptions = { bluetooth: { type: 'boolean', description: 'bt', default: false, kconfig: 'BR2_PACKAGE_LIBPCAP_BLUETOOTH' } };
  const c = catalogue('closure', [mainlinePackage('libpcap', { options: pcapOptions }), mainlinePackage('tcpdump', { dependencies: { libpcap: {} } })]);
  const plain = await resolved(c, 'tcpdump');
  assert.equal(plain.kconfig.BR2_PACKAGE_LIBPCAP, 'y');
  assert.deepEqual(plain.dependencies, ['libpcap']);
  const c2 = catalogue('closure2', [mainlinePackage('libpcap', { options: pcapOptions }), mainlinePackage('tcpdump', { dependencies: { libpcap: { options: { bluetooth: true } } } })]);
  const withBt = await resolved(c2, 'tcpdump');
  assert.equal(withBt.kconfig.BR2_PACKAGE_LIBPCAP_BLUETOOTH, 'y');
  assert.notEqual(withBt.key, plain.key);
});

test('descriptions do not enter the key', async () => {
  const a = await resolved(catalogue('desc-a', [mainlinePackage('jq', { description: 'one' })]), 'jq');
  const b = await resolved(catalogue('desc-b', [mainlinePackage('jq', { description: 'two' })]), 'jq');
  assert.equal(a.key, b.key);
});

test('the system identity enters the key', async () => {
  const c = catalogue('system', [mainlinePackage('jq')]);
  const a = await resolved(c, 'jq');
  const b = await resolved(c, 'jq', { ...rpi4, config: 'sha256:' + 'cd'.repeat(32) });
  assert.notEqual(a.key, b.key);
});

test('a package that does not target the system is skipped with the reason', async () => {
  const c = catalogue('targets', [mainlinePackage('jq')]);
  const r = await resolvePackage({ catalogue: c, system: { ...rpi4, app: 'nerves_system_bbb' } }, 'jq');
  assert.equal(r.status, 'skipped');
  assert.match((r as { reason: string }).reason, /jq does not target nerves_system_bbb \(targets: nerves_system_rpi4\)/);
});

test('a vendored package keys on its external tree, executable bits included', async () => {
  const dir = join(root, 'vendored', 'hello');
  mkdirSync(join(dir, 'buildroot', 'package', 'hello'), { recursive: true });
  writeFileSync(join(dir, 'buildroot', 'external.desc'), 'name: NBPR_HELLO\n');
  writeFileSync(join(dir, 'buildroot', 'package', 'hello', 'hello.sh'), '#!/bin/sh\necho hello\n');
  const c = Catalogue.load([writeJson(join(dir, 'nbpr.json'), { ...mainlinePackage('jq'), name: 'hello', targets: ['*'], buildroot: { external: 'buildroot', packages: ['hello'] } })]);
  const before = await resolved(c, 'hello');
  assert.match(before.keyDocument.tree!, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(before.kconfig, { BR2_PACKAGE_HELLO: 'y' });
  chmodSync(join(dir, 'buildroot', 'package', 'hello', 'hello.sh'), 0o755);
  const after = await resolved(c, 'hello');
  assert.notEqual(after.key, before.key);
});

test('exposeStaging enters the key document: an artefact with staging files is other content', async () => {
  const plain = await resolved(catalogue('staging-off', [mainlinePackage('libpcap')]), 'libpcap');
  const staged = await resolved(catalogue('staging-on', [mainlinePackage('libpcap', { exposeStaging: true })]), 'libpcap');
  assert.ok(!('staging' in plain.keyDocument.build));
  assert.equal(staged.keyDocument.build.staging, true);
  assert.notEqual(staged.key, plain.key);
});

test('a package the system already builds as asked is provided by the system; built otherwise, it needs a system change, before anything is fetched', async () => {
  const c = catalogue('shipped', [mainlinePackage('dnsmasq', { options: dnsmasqOptions })]);
  const systemConfig = new Map([['BR2_PACKAGE_DNSMASQ', 'y'], ['BR2_PACKAGE_DNSMASQ_TFTP', 'y'], ['BR2_PACKAGE_DNSMASQ_DHCP', 'y']]);
  const provided = await resolvePackage({ catalogue: c, system: rpi4, systemConfig }, 'dnsmasq');
  assert.equal(provided.status, 'skipped');
  assert.match((provided as { reason: string }).reason, /^provided by the system: nerves_system_rpi4@2\.0\.4 is built with BR2_PACKAGE_DNSMASQ=y as the package asks/);
  const otherwise = new Map([...systemConfig, ['BR2_PACKAGE_DNSMASQ_TFTP', 'n']]);
  await assert.rejects(resolvePackage({ catalogue: c, system: rpi4, systemConfig: otherwise }, 'dnsmasq'), (e: unknown) => {
    assert.ok(e instanceof NbprError);
    assert.match(e.format(), /dnsmasq is part of nerves_system_rpi4@2\.0\.4, built otherwise than it asks: BR2_PACKAGE_DNSMASQ_TFTP=y \(the system has n\)/);
    assert.match(e.format(), /Needs a system change/);
    return true;
  });
  assert.equal((await resolvePackage({ catalogue: c, system: rpi4, systemConfig: new Map() }, 'dnsmasq')).status, 'resolved', 'a system without it: NBPR provides it');
});
