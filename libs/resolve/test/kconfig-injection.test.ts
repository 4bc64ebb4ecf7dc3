import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Catalogue, loadFirmwareProfile, NbprError, quoteKconfigString, renderDotConfigFragment, type SystemIdentity } from '@nbpr/model';
import { resolvePackage } from '../src';
import { kconfigRaw } from '../src/kconfig-values';
import { writeJson } from '../../../test/support/fixtures';
import { tempDir } from '../../../test/support/temp';

// No value from a catalogue, a firmware profile or the environment can add a line to the
// defconfig NBPR writes: the schemas refuse control characters, and so does the renderer.

const root = tempDir();
const system: SystemIdentity = { app: 'nerves_system_rpi4', version: '2.0.4', buildroot: '2026.05.1', config: 'sha256:' + 'ab'.repeat(32) };
const evil = ['x"\nBR2_EVIL=y', 'x\rBR2_EVIL=y', 'x\u0000', 'tab\there'];

function pkg(name: string, extra: Record<string, unknown>): Record<string, unknown> {
  return { schemaVersion: 1, name, version: '1.0', description: 'a package', homepage: 'https://example.org/', licenses: 'MIT', buildroot: { package: name }, targets: ['*'], ...extra };
}

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof NbprError && pattern.test(e.format()) && !/\n\s+at /.test(e.format()));
}

test('a kconfig value, a string option default or an enum value with a control character is refused by the schema, naming the pointer', () => {
  for (const [i, value] of evil.entries()) {
    refused(() => Catalogue.load([writeJson(join(root, `k${i}`, 'foo', 'nbpr.json'), pkg('foo', { kconfig: { BR2_PACKAGE_FOO_NAME: value } }))]), /\/kconfig\/BR2_PACKAGE_FOO_NAME: .*control characters/s);
    refused(() => Catalogue.load([writeJson(join(root, `o${i}`, 'foo', 'nbpr.json'), pkg('foo', { options: { name: { type: 'string', description: 'a name', default: value, kconfig: 'BR2_PACKAGE_FOO_NAME' } } }))]), /\/options\/name\/default: .*control characters/s);
    refused(() => Catalogue.load([writeJson(join(root, `e${i}`, 'foo', 'nbpr.json'), pkg('foo', { options: { tls: { type: 'enum', description: 'tls', default: 'a', values: { a: { BR2_PACKAGE_FOO_TLS: value } } } } }))]), /\/options\/tls\/values\/a\/BR2_PACKAGE_FOO_TLS: .*control characters/s);
  }
});

test('a firmware override with a control character is refused by the schema, naming the pointer', () => {
  const file = writeJson(join(root, 'fw', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: 'nerves_system_rpi4@2.0.4', packages: { foo: { options: { name: evil[0] } } } });
  refused(() => loadFirmwareProfile(file, root), /\/packages\/foo\/options\/name: .*control characters/s);
});

test('the renderer refuses what the schema would have refused, and any raw value that is not one Kconfig value', () => {
  for (const value of evil) refused(() => quoteKconfigString(value), /cannot hold control characters/);
  for (const value of evil) refused(() => kconfigRaw(value), /cannot hold control characters/);
  refused(() => renderDotConfigFragment({ BR2_FOO: '"x"\nBR2_EVIL=y' }), /refusing to write/);
  refused(() => renderDotConfigFragment({ 'BR2_FOO=y\nBR2_EVIL': 'y' }), /refusing to write/);
  refused(() => renderDotConfigFragment({ BR2_FOO: '"unterminated' }), /refusing to write/);
  assert.equal(renderDotConfigFragment({ BR2_A: quoteKconfigString('a "quoted" \\ value'), BR2_B: 'n', BR2_C: '0x1f', BR2_D: '-3' }), 'BR2_A="a \\"quoted\\" \\\\ value"\n# BR2_B is not set\nBR2_C=0x1f\nBR2_D=-3\n');
});

test('a hostile value that reaches resolve without the schema is refused before any key or defconfig', async () => {
  const catalogue = Catalogue.load([writeJson(join(root, 'ok', 'foo', 'nbpr.json'), pkg('foo', { options: { name: { type: 'string', description: 'a name', default: 'fine', kconfig: 'BR2_PACKAGE_FOO_NAME' } } }))]);
  (catalogue.get('foo').metadata.options as Record<string, { default: string }>).name.default = evil[0];
  await assert.rejects(resolvePackage({ catalogue, system }, 'foo'), (e: unknown) => e instanceof NbprError && /control characters/.test(e.message));
});
