import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '@nbpr/key';
import { Catalogue, type SystemIdentity } from '@nbpr/model';
import { SCHEMA_DIR } from '@nbpr/model/src/schema/schemas';
import { resolvePackage } from '../src';
import { keyInputFields } from '../src/key-input-fields';
import { writeJson } from '../../../test/support/fixtures';
import { tempDir } from '../../../test/support/temp';

// keyInputFields is what Nx hashes instead of resolving; resolvePackage is what makes the key.
// A field the second reads and the first misses gives Nx stale cache hits: every field of
// nbpr.json is edited here, and whenever the edit changes the resolution, keyInputFields must
// change with it.

const root = tempDir();
const rpi4: SystemIdentity = { app: 'nerves_system_rpi4', version: '2.0.4', buildroot: '2026.05.1', config: 'sha256:' + 'ab'.repeat(32) };

type Manifest = Record<string, any>;

const base = (): Manifest => ({
  schemaVersion: 1,
  name: 'foo',
  version: '1.0',
  description: 'a package',
  homepage: 'https://example.org/',
  licenses: 'MIT',
  buildroot: { package: 'foo' },
  kconfig: { BR2_PACKAGE_FOO_X: 'y' },
  options: { tls: { type: 'boolean', description: 'TLS support', default: false, kconfig: 'BR2_PACKAGE_FOO_TLS' } },
  dependencies: { bar: { options: { small: true } } },
  targets: ['*'],
});

const bar = { schemaVersion: 1, name: 'bar', version: '2.0', description: 'a library', homepage: 'https://example.org/', licenses: 'MIT', buildroot: { package: 'bar' }, targets: ['*'], options: { small: { type: 'boolean', description: 'small', default: false, kconfig: 'BR2_PACKAGE_BAR_SMALL' } } };

/** One edit per top-level field of nbpr.json's schema. */
const edits: Record<string, (m: Manifest) => void> = {
  $schema: (m) => void (m.$schema = '../../libs/model/schemas/nbpr.schema.json'),
  schemaVersion: () => undefined,
  name: (m) => void (m.name = 'foo2'),
  version: (m) => void (m.version = '1.1'),
  description: (m) => void (m.description = 'another description'),
  homepage: (m) => void (m.homepage = 'https://example.com/'),
  licenses: (m) => void (m.licenses = 'Apache-2.0'),
  buildroot: (m) => void (m.buildroot = { package: 'foo-ng' }),
  kconfig: (m) => void (m.kconfig = { BR2_PACKAGE_FOO_X: 'n' }),
  options: (m) => void (m.options.tls.default = true),
  daemons: (m) => void (m.daemons = { food: { path: 'usr/sbin/food', description: 'the foo daemon', args: ['-f'] } }),
  kernelModules: (m) => void (m.kernelModules = ['wireguard']),
  runtimeEnv: (m) => void (m.runtimeEnv = { FOO_HOME: '${NBPR_PRIV}' }),
  dependencies: (m) => void (m.dependencies.bar.options.small = false),
  targets: (m) => void (m.targets = ['nerves_system_bbb']),
  rootfsPaths: (m) => void (m.rootfsPaths = ['etc/foo.conf']),
  exposeStaging: (m) => void (m.exposeStaging = true),
  sites: (m) => void (m.sites = ['registry.example.org/foo']),
};

async function resolution(dir: string, manifest: Manifest) {
  const catalogue = Catalogue.load([writeJson(join(root, dir, String(manifest.name), 'nbpr.json'), manifest), writeJson(join(root, dir, 'bar', 'nbpr.json'), bar)]);
  const name = String(manifest.name);
  return { resolved: canonicalJson(await resolvePackage({ catalogue, system: rpi4 }, name)), fields: canonicalJson(keyInputFields(catalogue.get(name))) };
}

test('the edits cover every field of the nbpr.json schema', () => {
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, 'nbpr.schema.json'), 'utf8'));
  assert.deepEqual(Object.keys(edits).sort(), Object.keys(schema.properties).sort());
});

test('every edit of nbpr.json that changes what resolvePackage makes of it changes keyInputFields too', async () => {
  const before = await resolution('base', base());
  let changedResolutions = 0;
  for (const [field, edit] of Object.entries(edits)) {
    const manifest = base();
    edit(manifest);
    const after = await resolution(field.replace('$', ''), manifest);
    if (after.resolved === before.resolved) continue;
    changedResolutions++;
    assert.notEqual(after.fields, before.fields, `editing '${field}' changes the resolution but not keyInputFields: Nx would replay a stale result`);
  }
  assert.ok(changedResolutions >= 8, `the edits change the resolution (${changedResolutions} did)`);
});
