import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKey } from '@nbpr/key';
import { packArtefact } from '@nbpr/artefact';
import { Catalogue, NbprError, readSystem, systemIdentity, type PluginOptions } from '@nbpr/model';
import { resolvePackage, type ResolvedPackage } from '@nbpr/resolve';
import { publishArtefact, siteFor } from '@nbpr/sites';
import { conflictCheck } from '../src/conflict-check';
import { mainlinePackage, writeJson } from '../../../test/support/fixtures';
import { repoRoot } from '../../../test/support/reference';
import { tempDir } from '../../../test/support/temp';

// Realistic selections built from Buildroot 2026.05.1's real symbols and choice groups
// (test/fixtures/buildroot-2026.05.1-packages.json), on the example system (libp11 forces libopenssl, as on rpi4).

const exampleSystem = join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0');
const SYSTEM = 'nerves_system_nbpr_example@0.1.0';
const bool = (description: string, kconfig: string, dflt = false) => ({ type: 'boolean', description, default: dflt, kconfig });

/** A workspace of packages and one firmware; returns what conflictCheck prints or throws. */
async function check(packages: Record<string, unknown>[], firmware: { packages: Record<string, unknown>; licensePolicy?: unknown }, systemDir = exampleSystem, sites: string[] = []) {
  const ws = tempDir();
  const files = packages.map((p) => writeJson(join(ws, 'packages', String(p.name), 'nbpr.json'), { targets: ['*'], ...p }));
  const file = writeJson(join(ws, 'fw', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: SYSTEM, ...firmware });
  const pluginOptions: PluginOptions = { defaultSystem: SYSTEM, systems: { [SYSTEM]: { path: systemDir } }, sites };
  const lines: string[] = [];
  try {
    await conflictCheck({ workspaceRoot: ws, file, packageFiles: files, pluginOptions, env: { NBPR_CACHE_DIR: join(ws, 'store') }, log: (l) => lines.push(l) });
    return { ok: true, text: lines.join('\n'), ws, files, pluginOptions };
  } catch (error) {
    assert.ok(error instanceof NbprError, String(error));
    return { ok: false, text: error.format(), ws, files, pluginOptions };
  }
}

const pkg = (name: string, br: string, extra: Record<string, unknown> = {}) => ({ ...mainlinePackage(br), name, buildroot: { package: br }, targets: ['*'], ...extra });
const libpcap = pkg('libpcap', 'libpcap', { options: { bluetooth: bool('Bluetooth sniffing', 'BR2_PACKAGE_LIBPCAP_BLUETOOTH') } });

test('a compatible selection passes: jq, dnsmasq with DNSSEC, tcpdump and libpcap, curl over the system OpenSSL', async () => {
  const r = await check(
    [pkg('jq', 'jq'), pkg('dnsmasq', 'dnsmasq', { options: { dnssec: bool('DNSSEC', 'BR2_PACKAGE_DNSMASQ_DNSSEC') } }), libpcap, pkg('tcpdump', 'tcpdump', { dependencies: { libpcap: {} } }), pkg('curl', 'libcurl', { kconfig: { BR2_PACKAGE_LIBCURL_OPENSSL: true } })],
    { packages: { jq: {}, dnsmasq: { options: { dnssec: true } }, tcpdump: {}, curl: {} } },
  );
  assert.ok(r.ok, r.text);
  assert.match(r.text, /no conflicts/);
});

test('two libcurl TLS backends conflict, each with the chain that asks for it', async () => {
  const r = await check([pkg('curl-openssl', 'libcurl', { kconfig: { BR2_PACKAGE_LIBCURL_OPENSSL: true } }), pkg('curl-gnutls', 'libcurl', { kconfig: { BR2_PACKAGE_LIBCURL_GNUTLS: true } })], { packages: { 'curl-openssl': {}, 'curl-gnutls': {} } });
  assert.ok(!r.ok);
  assert.match(r.text, /choice "[^"]*" \(package\/libcurl\/Config\.in\): (BR2_PACKAGE_LIBCURL_OPENSSL vs BR2_PACKAGE_LIBCURL_GNUTLS|BR2_PACKAGE_LIBCURL_GNUTLS vs BR2_PACKAGE_LIBCURL_OPENSSL)/);
  assert.match(r.text, /curl-openssl -> BR2_PACKAGE_LIBCURL_OPENSSL=y/);
  assert.match(r.text, /curl-gnutls -> BR2_PACKAGE_LIBCURL_GNUTLS=y/);
  assert.match(r.text, /Nothing was fetched or built/);
});

test('LibreSSL on a system whose libp11 forces libopenssl needs a system change', async () => {
  const r = await check([pkg('tls-tool', 'libressl', { kconfig: { BR2_PACKAGE_LIBRESSL: true } })], { packages: { 'tls-tool': {} } });
  assert.ok(!r.ok);
  assert.match(r.text, /BR2_PACKAGE_LIBRESSL vs BR2_PACKAGE_LIBOPENSSL \(needs a system change\)/);
  assert.match(r.text, /tls-tool -> BR2_PACKAGE_LIBRESSL=y/);
  assert.match(r.text, /system nerves_system_nbpr_example@0\.1\.0 -> BR2_PACKAGE_LIBOPENSSL=y/);
});

test('jpeg, zlib and libssh2 choices each count, and every conflict is listed at once', async () => {
  const r = await check(
    [
      pkg('cam-a', 'jpeg', { kconfig: { BR2_PACKAGE_LIBJPEG: true } }),
      pkg('cam-b', 'jpeg', { kconfig: { BR2_PACKAGE_JPEG_TURBO: true } }),
      pkg('zip-a', 'zlib', { kconfig: { BR2_PACKAGE_ZLIB_NG: true } }),
      pkg('zip-b', 'zlib', { kconfig: { BR2_PACKAGE_LIBZLIB: true } }),
      pkg('ssh-a', 'libssh2', { kconfig: { BR2_PACKAGE_LIBSSH2_MBEDTLS: true } }),
      pkg('ssh-b', 'libssh2', { kconfig: { BR2_PACKAGE_LIBSSH2_OPENSSL: true } }),
    ],
    { packages: { 'cam-a': {}, 'cam-b': {}, 'zip-a': {}, 'zip-b': {}, 'ssh-a': {}, 'ssh-b': {} } },
  );
  assert.ok(!r.ok);
  assert.match(r.text, /found 3 conflicts/);
  assert.match(r.text, /package\/jpeg\/Config\.in/);
  assert.match(r.text, /package\/zlib\/Config\.in/);
  assert.match(r.text, /package\/libssh2\/Config\.in/);
});

test('two packages asking one NBPR dependency for different options conflict, with both chains', async () => {
  const r = await check(
    [libpcap, pkg('tcpdump', 'tcpdump', { dependencies: { libpcap: { options: { bluetooth: true } } } }), pkg('sniffer', 'tcpdump', { dependencies: { libpcap: { options: { bluetooth: false } } } })],
    { packages: { tcpdump: {}, sniffer: {} } },
  );
  assert.ok(!r.ok);
  assert.match(r.text, /option 'bluetooth' of libpcap/);
  assert.match(r.text, /package tcpdump -> libpcap -> bluetooth=true/);
  assert.match(r.text, /package sniffer -> libpcap -> bluetooth=false/);
});

test("a demand against a sub-option of a package the system ships needs a system change", async () => {
  const systems = tempDir();
  const system = join(systems, 'nerves_system_nbpr_example-portable-0.1.0');
  cpSync(exampleSystem, system, { recursive: true });
  appendFileSync(join(system, '.config'), 'BR2_PACKAGE_WPA_SUPPLICANT=y\nBR2_PACKAGE_WPA_SUPPLICANT_WPS=y\n');
  const r = await check([pkg('wifi-tool', 'wpa_supplicant', { kconfig: { BR2_PACKAGE_WPA_SUPPLICANT_WPS: false } })], { packages: { 'wifi-tool': {} } }, system);
  assert.ok(!r.ok);
  assert.match(r.text, /BR2_PACKAGE_WPA_SUPPLICANT_WPS \(needs a system change\)/);
  assert.match(r.text, /ships wpa_supplicant with BR2_PACKAGE_WPA_SUPPLICANT_WPS=y/);
});

test("an existing artefact's recorded build facts count, read from its config blob without its layer", async () => {
  const first = await check([libpcap, pkg('tcpdump', 'tcpdump', { dependencies: { libpcap: {} } }), pkg('bt-scan', 'tcpdump', { kconfig: { BR2_PACKAGE_LIBPCAP_BLUETOOTH: true } })], { packages: { tcpdump: {}, 'bt-scan': {} } });
  // One symbol, two values, each with the chain from the selected package to it.
  assert.ok(!first.ok);
  assert.match(first.text, /\d\. BR2_PACKAGE_LIBPCAP_BLUETOOTH\n/);
  assert.match(first.text, /tcpdump -> libpcap -> BR2_PACKAGE_LIBPCAP_BLUETOOTH=n/);
  assert.match(first.text, /bt-scan -> BR2_PACKAGE_LIBPCAP_BLUETOOTH=y/);
  // Facts: a clean selection whose existing artefact was built otherwise.
  const layouts = tempDir();
  const r0 = await check([libpcap, pkg('tcpdump', 'tcpdump', { dependencies: { libpcap: {} } })], { packages: { tcpdump: {} } }, exampleSystem, [`oci-layout:${layouts}`]);
  assert.ok(r0.ok, r0.text);
  const catalogue = Catalogue.load(r0.files, r0.ws);
  const system = readSystem(exampleSystem);
  const resolved = (await resolvePackage({ catalogue, system: systemIdentity(system) }, 'tcpdump')) as ResolvedPackage;
  const src = tempDir();
  mkdirSync(join(src, 'target'));
  const file = join(tempDir(), 'a.tar.gz');
  // Its prebuilt was built with libpcap's bluetooth on (say, by an older profile): the facts say so.
  const packed = await packArtefact({ sourceDir: src, keyDocument: resolved.keyDocument, build: { kconfig: { BR2_PACKAGE_LIBPCAP_BLUETOOTH: 'y' }, closure: ['libpcap', 'tcpdump'] }, outFile: file });
  assert.equal(packed.metadata.key, cacheKey(resolved.keyDocument));
  await publishArtefact(siteFor(`oci-layout:${layouts}`, r0.ws).repository('tcpdump'), resolved.tag, packed, file);
  const r = await check([libpcap, pkg('tcpdump', 'tcpdump', { dependencies: { libpcap: {} } })], { packages: { tcpdump: {} } }, exampleSystem, [`oci-layout:${layouts}`]);
  assert.ok(!r.ok);
  assert.match(r.text, /tcpdump -> artefact [0-9a-f]{16} -> BR2_PACKAGE_LIBPCAP_BLUETOOTH=y/);
  assert.match(r.text, /tcpdump -> libpcap -> BR2_PACKAGE_LIBPCAP_BLUETOOTH=n/);
});

test('a licence policy fails naming the package before any download; an allowed OR alternative passes', async () => {
  const gpl3 = pkg('gpl3-tool', 'jq', { licenses: 'GPL-3.0-or-later' });
  const dual = pkg('dnsmasq', 'dnsmasq', { licenses: 'GPL-2.0-only OR GPL-3.0-only' });
  const denied = await check([gpl3, dual], { packages: { 'gpl3-tool': {}, dnsmasq: {} }, licensePolicy: { deny: ['GPL-3.0-or-later', 'GPL-3.0-only'] } });
  assert.ok(!denied.ok);
  assert.match(denied.text, /licence policy of firmware fw \(deny GPL-3\.0-or-later, GPL-3\.0-only\) is broken by:\n\s+gpl3-tool: GPL-3\.0-or-later/);
  assert.doesNotMatch(denied.text, /dnsmasq:/);
  const allowed = await check([dual], { packages: { dnsmasq: {} }, licensePolicy: { deny: ['GPL-3.0-only'] } });
  assert.ok(allowed.ok, allowed.text);
});
