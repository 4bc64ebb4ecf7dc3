import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NbprError, projectRegistry, requireProjectRegistry, readPluginOptions, PluginOptions } from '../src';
import { redactCredentials } from '../src/errors';
import { tempDir } from '../../../test/support/temp';

const options: PluginOptions = { defaultSystem: 'nerves_system_rpi4@2.0.4', registry: 'ghcr.io/nerves-binary-package-repository' };

test("NBPR_REGISTRY overrides nx.json's registry, which applies otherwise", () => {
  assert.equal(projectRegistry(options, {}), 'ghcr.io/nerves-binary-package-repository');
  assert.equal(projectRegistry(options, { NBPR_REGISTRY: ' ghcr.io/my-fork ' }), 'ghcr.io/my-fork');
  assert.equal(projectRegistry({ defaultSystem: options.defaultSystem }, {}), undefined);
});

test('a malformed NBPR_REGISTRY is refused with the form it needs, and no credentials are echoed', () => {
  assert.throws(
    () => projectRegistry(options, { NBPR_REGISTRY: 'https://user:secret@ghcr.io/Org' }),
    (error: unknown) => error instanceof NbprError && /NBPR_REGISTRY .* is not <host>\[:port\]\[\/namespace\]/.test(error.format()) && !error.format().includes('secret'),
  );
});

test('publishing without any registry says where to set one', () => {
  assert.throws(
    () => requireProjectRegistry({ defaultSystem: options.defaultSystem }, {}),
    (error: unknown) => error instanceof NbprError && /no registry to publish to/.test(error.format()) && /NBPR_REGISTRY/.test(error.format()) && /options\.registry/.test(error.format()),
  );
});

test('credentials in nx.json are refused and never quoted, whichever option holds them', () => {
  const ws = tempDir();
  const secret = 's3cr3tPW';
  for (const options of [
    { defaultSystem: 'nerves_system_rpi4@2.0.4', registry: `alice:${secret}@registry.example.com/ns` },
    { defaultSystem: 'nerves_system_rpi4@2.0.4', registry: `https://alice:${secret}@registry.example.com/ns` },
    { defaultSystem: 'nerves_system_rpi4@2.0.4', sites: ['oci-layout:examples/registry', `alice:${secret}@registry.example.com/ns`] },
  ]) {
    writeFileSync(join(ws, 'nx.json'), JSON.stringify({ plugins: [{ plugin: '@nbpr/nx-plugin', options }] }, null, 2));
    assert.throws(() => readPluginOptions(ws), (e: unknown) => {
      assert.ok(e instanceof NbprError);
      assert.doesNotMatch(e.format() + e.message + String(e.stack), new RegExp(secret), 'the secret appears nowhere in the error');
      assert.match(e.format(), /\*\*\*@registry\.example\.com/);
      assert.match(e.format(), /nx reset/, 'says how to delete the copy Nx already made');
      return true;
    });
  }
});

test('credentials are redacted from any error text, URLs and host references alike', () => {
  assert.equal(redactCredentials('GET https://bob:pw@ghcr.io/v2/ failed'), 'GET https://***@ghcr.io/v2/ failed');
  assert.equal(redactCredentials('"alice:s3cr3t@registry.example.com/ns" is not valid'), '"***@registry.example.com/ns" is not valid');
  assert.equal(redactCredentials('sites[1] (alice:s3cr3t@registry.example.com/ns)'), 'sites[1] (***@registry.example.com/ns)', 'the bracket before the user name is kept');
  assert.equal(redactCredentials('user@example.org wrote'), 'user@example.org wrote', 'an address without a secret is not a credential');
  assert.equal(new NbprError('x', { code: 'oci/invalid-registry', where: 'http://u:p@h/x', hint: 'try a:b@c' }).format(), 'http://***@h/x: x\n  try ***@c\n  code: oci/invalid-registry');
});
