import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artefactTag, isValidTag } from '../src';

const key = '309f41a4f958e9e5210966e78b21fd8fa0af5f3b79a7bc3305d6c22651341cd3';

test('a tag is version-app-systemversion-key16', () => {
  assert.equal(artefactTag({ version: '1.8.2', systemApp: 'nerves_system_rpi4', systemVersion: '2.0.4', key }), '1.8.2-nerves_system_rpi4-2.0.4-309f41a4f958e9e5');
});

test('characters outside the OCI tag grammar are escaped', () => {
  const tag = artefactTag({ version: '1.38.0+nbpr.1', systemApp: 'nerves_system_rpi4', systemVersion: '2.0.4~rc1', key });
  assert.equal(tag, '1.38.0_nbpr.1-nerves_system_rpi4-2.0.4_rc1-309f41a4f958e9e5');
  assert.ok(isValidTag(tag));
});

test('an over-long tag is shortened to 128 characters, keeping the key prefix', () => {
  const tag = artefactTag({ version: 'v'.repeat(100), systemApp: 'nerves_system_' + 'x'.repeat(80), systemVersion: '1.0.0', key });
  assert.equal(tag.length, 128);
  assert.ok(tag.endsWith('-309f41a4f958e9e5'));
  assert.ok(tag.includes('-1.0.0-'), 'the shortest part is kept whole');
  assert.ok(isValidTag(tag));
});

test('a tag never starts with a character the grammar forbids', () => {
  assert.ok(isValidTag(artefactTag({ version: '.hidden', systemApp: 'a', systemVersion: '1', key })));
});

test('a key that is not 64 hex digits is refused', () => {
  assert.throws(() => artefactTag({ version: '1', systemApp: 'a', systemVersion: '1', key: key.slice(0, 16) }), /64 lowercase hex digits/);
});
