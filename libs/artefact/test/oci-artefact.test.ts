import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '@nbpr/key';
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
