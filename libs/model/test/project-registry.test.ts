import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NbprError, projectRegistry, requireProjectRegistry, type PluginOptions } from '../src';

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
