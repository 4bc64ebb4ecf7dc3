import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '@nbpr/key';
import { NbprError } from '@nbpr/model';
import { parseArtefactConfig, readArtefactConfig } from '../src';
import { key, keyDocument } from './support';

const config = (value: object) => Buffer.from(canonicalJson({ key, keyDocument, diffId: 'sha256:' + '0'.repeat(64), build: { kconfig: {} }, sonames: [], ...value }));

test('an artefact config is read only when its key document hashes to the key it states', () => {
  assert.equal(readArtefactConfig(config({}), 'here').key, key);
  assert.throws(() => readArtefactConfig(config({ key: 'f'.repeat(64) }), 'here'), /artefact config states key f{64}, but its key document hashes to [0-9a-f]{64}/);
});

test('parseArtefactConfig also insists on the key asked for', () => {
  assert.equal(parseArtefactConfig(config({}), key, 'here').key, key);
  assert.throws(() => parseArtefactConfig(config({}), 'e'.repeat(64), 'here'), /artefact is for key [0-9a-f]{64}, expected e{64}/);
});

test("a config whose key document holds what has no canonical form (half a surrogate pair) is refused as an invalid config, not thrown", () => {
  const text = JSON.stringify({ key, keyDocument: { ...keyDocument, package: { ...keyDocument.package, version: 'SURROGATE' } }, diffId: 'sha256:' + '0'.repeat(64), build: { kconfig: {} }, sonames: [] });
  const bytes = Buffer.from(text.replace('SURROGATE', '1.0\\ud800'));
  assert.throws(() => readArtefactConfig(bytes, 'reg/x:tag config'), (e: unknown) => e instanceof NbprError && e.code === 'artefact/invalid-config' && /lone UTF-16 surrogate/.test(e.message));
});
