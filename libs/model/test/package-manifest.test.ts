import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Catalogue, catalogueFiles, loadFirmwareProfile, NbprError, readPluginOptions } from '../src';
import { loadPackageManifest } from '../src/package-manifest';
import { mainlinePackage, writeJson } from '../../../test/support/fixtures';
import { tempDir } from '../../../test/support/temp';
import { failureText } from '../../../test/support/errors';

const root = tempDir();

const failure = failureText;

test('a valid mainline package from the Buildroot facts loads', () => {
  const path = writeJson(join(root, 'ok', 'jq', 'nbpr.json'), mainlinePackage('jq', { licenses: 'MIT AND ICU AND CC-BY-3.0 AND BSD-2-Clause' }));
  const manifest = loadPackageManifest(path);
  assert.equal(manifest.metadata.version, '1.8.2');
  assert.equal(manifest.externalTree, null);
});

test('malformed JSON names the file, line and column', () => {
  const path = writeJson(join(root, 'malformed', 'jq', 'nbpr.json'), '{\n  "name": "jq",\n  "version": 1.8.2\n}\n');
  const message = failure(() => loadPackageManifest(path));
  assert.match(message, /malformed\/jq\/nbpr\.json:3:\d+: malformed JSON/);
  assert.doesNotMatch(message, /at Object\.|\.ts:\d+/, 'no stack trace');
});

test('a trailing comma is malformed JSON, not silently accepted', () => {
  const path = writeJson(join(root, 'comma', 'jq', 'nbpr.json'), '{ "name": "jq", }');
  assert.match(failure(() => loadPackageManifest(path)), /malformed JSON/);
});

test('a wrong type names the JSON pointer, the expected type and the value', () => {
  const path = writeJson(join(root, 'type', 'jq', 'nbpr.json'), mainlinePackage('jq', { exposeStaging: 'yes' }));
  const message = failure(() => loadPackageManifest(path));
  assert.match(message, /type\/jq\/nbpr\.json:\d+:\d+ \/exposeStaging: expected boolean, got string "yes"/);
});

test('a missing required field is named with what it is for', () => {
  const { homepage: _, ...rest } = mainlinePackage('jq');
  const path = writeJson(join(root, 'missing', 'jq', 'nbpr.json'), rest);
  const message = failure(() => loadPackageManifest(path));
  assert.match(message, /missing required field 'homepage'/);
  assert.match(message, /Upstream home page/);
});

test('a misspelt key suggests the intended one', () => {
  const path = writeJson(join(root, 'typo', 'jq', 'nbpr.json'), { ...mainlinePackage('jq'), kernelModlues: ['x'] });
  assert.match(failure(() => loadPackageManifest(path)), /\/kernelModlues: unknown key 'kernelModlues'; did you mean 'kernelModules'\?/);
});

test('a misspelt key inside an option suggests from that option type keys', () => {
  const path = writeJson(
    join(root, 'option-typo', 'dnsmasq', 'nbpr.json'),
    mainlinePackage('dnsmasq', { options: { tftp: { type: 'boolean', description: 'TFTP', default: true, kconfg: 'BR2_PACKAGE_DNSMASQ_TFTP' } } }),
  );
  const message = failure(() => loadPackageManifest(path));
  assert.match(message, /\/options\/tftp\/kconfg: unknown key 'kconfg'; did you mean 'kconfig'\?/);
});

test('an enum default that is not one of its values is refused', () => {
  const path = writeJson(
    join(root, 'enum', 'libcurl', 'nbpr.json'),
    mainlinePackage('libcurl', {
      options: { tls: { type: 'enum', description: 'TLS backend', default: 'gnutls', values: { openssl: { BR2_PACKAGE_LIBCURL_OPENSSL: true }, mbedtls: { BR2_PACKAGE_LIBCURL_MBEDTLS: true } } } },
    }),
  );
  assert.match(failure(() => loadPackageManifest(path)), /\/options\/tls\/default: default of option 'tls' must be one of 'openssl', 'mbedtls', got "gnutls"/);
});

test('an invalid SPDX expression is refused with how to write one', () => {
  const path = writeJson(join(root, 'spdx', 'dnsmasq', 'nbpr.json'), mainlinePackage('dnsmasq', { licenses: 'GPL-2.0 or GPL-3.0 (whichever)' }));
  assert.match(failure(() => loadPackageManifest(path)), /\/licenses: 'GPL-2\.0 or GPL-3\.0 \(whichever\)' is not a valid SPDX license expression/);
});

test('a package whose name differs from its directory is refused', () => {
  const path = writeJson(join(root, 'name', 'jq2', 'nbpr.json'), mainlinePackage('jq'));
  assert.match(failure(() => loadPackageManifest(path)), /package name 'jq' differs from its directory 'jq2'/);
});

test('a vendored package without its BR2_EXTERNAL tree is refused', () => {
  const path = writeJson(join(root, 'vendored', 'hello', 'nbpr.json'), { ...mainlinePackage('jq'), name: 'hello', buildroot: { external: 'buildroot', packages: ['hello'] } });
  assert.match(failure(() => loadPackageManifest(path)), /\/buildroot\/external: BR2_EXTERNAL tree 'buildroot' does not exist/);
});

test('a dependency on a package that does not exist is named, with the closest package', () => {
  const dir = join(root, 'deps');
  const files = [
    writeJson(join(dir, 'libpcap', 'nbpr.json'), mainlinePackage('libpcap')),
    writeJson(join(dir, 'tcpdump', 'nbpr.json'), mainlinePackage('tcpdump', { dependencies: { 'libpcapp': {} } })),
  ];
  const message = failure(() => Catalogue.load(files));
  assert.match(message, /tcpdump\/nbpr\.json:\d+:\d+ \/dependencies\/libpcapp: dependency on 'libpcapp', which is not an NBPR package of this workspace; did you mean 'libpcap'\?/);
});

test('a dependency cycle is reported with its chain', () => {
  const dir = join(root, 'cycle');
  const files = [
    writeJson(join(dir, 'libpcap', 'nbpr.json'), mainlinePackage('libpcap', { dependencies: { tcpdump: {} } })),
    writeJson(join(dir, 'tcpdump', 'nbpr.json'), mainlinePackage('tcpdump', { dependencies: { libpcap: {} } })),
  ];
  assert.match(failure(() => Catalogue.load(files)), /dependency cycle: (libpcap -> tcpdump -> libpcap|tcpdump -> libpcap -> tcpdump)/);
});

test('errors in several files are all reported at once', () => {
  const dir = join(root, 'several');
  const files = [
    writeJson(join(dir, 'jq', 'nbpr.json'), { ...mainlinePackage('jq'), version: 3 }),
    writeJson(join(dir, 'htop', 'nbpr.json'), { ...mainlinePackage('htop'), targets: [] }),
  ];
  const message = failure(() => Catalogue.load(files));
  assert.match(message, /jq\/nbpr\.json.*\/version/);
  assert.match(message, /htop\/nbpr\.json.*\/targets/);
});

test('the dependency closure lists dependencies before their dependants', () => {
  const dir = join(root, 'closure');
  const files = [
    writeJson(join(dir, 'libpcap', 'nbpr.json'), mainlinePackage('libpcap')),
    writeJson(join(dir, 'tcpdump', 'nbpr.json'), mainlinePackage('tcpdump', { dependencies: { libpcap: {} } })),
  ];
  assert.deepEqual(Catalogue.load(files).dependencyClosure('tcpdump'), ['libpcap']);
});

test('a firmware profile with an unknown key is refused with a suggestion', () => {
  const path = writeJson(join(root, 'fw', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: 'nerves_system_rpi4@2.0.4', packages: { jq: { option: {} } } });
  assert.match(failure(() => loadFirmwareProfile(path)), /\/packages\/jq\/option: unknown key 'option'; did you mean 'options'\?/);
});

test('plugin options errors point into nx.json', () => {
  const ws = join(root, 'ws');
  writeJson(join(ws, 'nx.json'), { plugins: ['other', { plugin: '@nbpr/nx-plugin', options: { defaultSytem: 'nerves_system_rpi4@2.0.4' } }] });
  const message = failure(() => readPluginOptions(ws));
  assert.match(message, /nx\.json:\d+:\d+ \/plugins\/1\/options\/defaultSytem: unknown key 'defaultSytem'; did you mean 'defaultSystem'\?/);
});

test('nx.json is read as Nx reads it, comments and trailing commas allowed, and errors still point at its lines', () => {
  const ws = join(root, 'ws-jsonc');
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(ws, 'nx.json'), '{\n  // NBPR\n  "plugins": [\n    { "plugin": "@nbpr/nx-plugin", "options": { "defaultSystem": "nerves_system_rpi4@2.0.4", }, },\n  ],\n}\n');
  assert.equal(readPluginOptions(ws).defaultSystem, 'nerves_system_rpi4@2.0.4');
  writeFileSync(join(ws, 'nx.json'), '{\n  /* NBPR */\n  "plugins": [{ "plugin": "@nbpr/nx-plugin", "options": { "defaultSystem": "rpi4" } }],\n}\n');
  assert.match(failure(() => readPluginOptions(ws)), /^nx\.json:3:\d+ \/plugins\/0\/options\/defaultSystem: "rpi4" is not valid here/);
});

test('an nx.json that is not JSON, lists no NBPR plugin, or has a plugins value that is no list is refused as nx.json', () => {
  const ws = join(root, 'ws-bad');
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(ws, 'nx.json'), '{ "plugins": [ { "plugin": "@nbpr/nx-plugin", ');
  assert.match(failure(() => readPluginOptions(ws)), /^nx\.json:1:\d+/);
  for (const nxJson of [{ plugins: ['other'] }, { plugins: { '@nbpr/nx-plugin': {} } }, null]) {
    writeJson(join(ws, 'nx.json'), nxJson);
    assert.match(failure(() => readPluginOptions(ws)), /@nbpr\/nx-plugin has no options/, JSON.stringify(nxJson));
  }
  assert.match(failure(() => readPluginOptions(join(root, 'no-such-ws'))), /nx\.json.*file not found/);
});

test('a malformed system id in the plugin options is refused', () => {
  const ws = join(root, 'ws2');
  writeJson(join(ws, 'nx.json'), { plugins: [{ plugin: '@nbpr/nx-plugin', options: { defaultSystem: 'rpi4' } }] });
  assert.match(failure(() => readPluginOptions(ws)), /\/plugins\/0\/options\/defaultSystem: "rpi4" is not valid here/);
});

test('a system in the plugin options is a path, or where its release comes from; a malformed checksum or sha256 is refused at its pointer', () => {
  const ws = join(root, 'ws3');
  const ok = { defaultSystem: 'nerves_system_rpi4@2.0.4', systems: { 'nerves_system_rpi4@2.0.4': { checksum: 'E7612E7' }, 'my_system@1.0.0': { github: 'my-org/my_system', sha256: 'ab'.repeat(32) }, 'other@0.1.0': { path: 'systems/other' } } };
  writeJson(join(ws, 'nx.json'), { plugins: [{ plugin: '@nbpr/nx-plugin', options: ok }] });
  assert.deepEqual(JSON.parse(JSON.stringify(readPluginOptions(ws))), ok, 'the options as nx.json holds them (parsed into prototype-less objects)');
  for (const [entry, pointer] of [
    [{ checksum: 'E7612' }, 'checksum'],
    [{ sha256: 'AB'.repeat(32) }, 'sha256'],
    [{ github: 'not a repo' }, 'github'],
  ] as const) {
    const bad = { defaultSystem: 'nerves_system_rpi4@2.0.4', systems: { 'nerves_system_rpi4@2.0.4': entry } };
    writeJson(join(ws, 'nx.json'), { plugins: [{ plugin: '@nbpr/nx-plugin', options: bad }] });
    assert.match(failure(() => readPluginOptions(ws)), new RegExp(`/plugins/0/options/systems/nerves_system_rpi4@2\\.0\\.4/${pointer}: .* is not valid here`));
  }
});

test("a vendored tree whose external.desc has another name than NBPR_<NAME> is refused", () => {
  const dir = join(root, 'desc', 'hello');
  writeJson(join(dir, 'buildroot', 'x'), {});
  require('node:fs').writeFileSync(join(dir, 'buildroot', 'external.desc'), 'name: HELLO\n');
  const path = writeJson(join(dir, 'nbpr.json'), { ...mainlinePackage('jq'), name: 'hello', buildroot: { external: 'buildroot', packages: ['hello'] } });
  assert.match(failure(() => loadPackageManifest(path)), /external\.desc names the tree 'HELLO', expected 'NBPR_HELLO'/);
});

test('an option value of the wrong type is refused with a hint about the types an option value takes, not only about control characters', () => {
  const path = writeJson(join(root, 'fw-type', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: 'nerves_system_rpi4@2.0.4', packages: { jq: { options: { name: [1] } } } });
  assert.match(failure(() => loadFirmwareProfile(path)), /\/packages\/jq\/options\/name: expected boolean,integer,string, got array \[1\]\n\s+An option value: true or false, a whole number, or a string/);
});

test('a site in nx.json is a registry (host[:port][/namespace]) or oci-layout:<dir>; anything else is refused at its pointer', () => {
  const ws = join(root, 'ws-sites');
  for (const site of ['ftp://x', 'oci-layout:', 'Registry.example/UPPER', 'host/ns?x', 'oci-layout:a\u0000b']) {
    writeJson(join(ws, 'nx.json'), { plugins: [{ plugin: '@nbpr/nx-plugin', options: { defaultSystem: 'nerves_system_rpi4@2.0.4', sites: ['oci-layout:examples/registry', site] } }] });
    assert.match(failure(() => readPluginOptions(ws)), /nx\.json:\d+:\d+ \/plugins\/0\/options\/sites\/1: .* is not valid here[^]*A site is an OCI registry/, JSON.stringify(site));
  }
  const good = ['oci-layout:examples/registry', 'oci-layout:/srv/mirror', 'ghcr.io/nerves-binary-package-repository', '127.0.0.1:5000/nbpr', 'http://127.0.0.1:5000/nbpr'];
  writeJson(join(ws, 'nx.json'), { plugins: [{ plugin: '@nbpr/nx-plugin', options: { defaultSystem: 'nerves_system_rpi4@2.0.4', sites: good } }] });
  assert.deepEqual([...readPluginOptions(ws).sites!], good);
});

test("a catalogue nx.json lists that is not installed is named by its place in the list", () => {
  assert.throws(() => catalogueFiles(['no-such-catalogue-here'], root), (e: unknown) => e instanceof NbprError && e.code === 'catalogue/not-installed' && e.where === 'nx.json /plugins/…/options/catalogues/0 (@nbpr/nx-plugin)' && /npm install --save-dev no-such-catalogue-here/.test(e.format()));
});
