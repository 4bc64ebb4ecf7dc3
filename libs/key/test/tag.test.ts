import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { artefactTag } from '../src';
import { isValidTag, TAG_PATTERN } from '../src/tag';

const key = '309f41a4f958e9e5210966e78b21fd8fa0af5f3b79a7bc3305d6c22651341cd3';

test('a tag is version-app-systemversion-key16', () => {
  assert.equal(artefactTag({ version: '1.8.2', systemApp: 'nerves_system_rpi4', systemVersion: '2.0.4', key }), '1.8.2-nerves_system_rpi4-2.0.4-309f41a4f958e9e5');
});

test('TAG_PATTERN is the OCI distribution tag grammar', () => {
  assert.equal(TAG_PATTERN.source, '^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$');
  assert.ok(isValidTag('_'));
  assert.ok(isValidTag('a'.repeat(128)));
  assert.ok(!isValidTag('a'.repeat(129)));
  assert.ok(!isValidTag(''));
  assert.ok(!isValidTag('.a'));
  assert.ok(!isValidTag('-a'));
  assert.ok(!isValidTag('1.0+build'));
});

test('characters outside the OCI tag grammar are escaped to "_"', () => {
  const tag = artefactTag({ version: '1.38.0+nbpr.1', systemApp: 'nerves_system_rpi4', systemVersion: '2.0.4~rc1', key });
  assert.equal(tag, '1.38.0_nbpr.1-nerves_system_rpi4-2.0.4_rc1-309f41a4f958e9e5');
  assert.ok(isValidTag(tag));
});

test('a non-ASCII character becomes one "_", even outside the BMP', () => {
  assert.equal(artefactTag({ version: '1.0 é😀', systemApp: 'app', systemVersion: '1/2', key }), '1.0___-app-1_2-309f41a4f958e9e5');
});

test('a tag never starts with a character the grammar forbids', () => {
  const tag = artefactTag({ version: '.hidden', systemApp: 'a', systemVersion: '1', key });
  assert.equal(tag, '_hidden-a-1-309f41a4f958e9e5');
  assert.ok(isValidTag(artefactTag({ version: '-1', systemApp: 'a', systemVersion: '1', key })));
});

test('a tag of exactly 128 characters is kept whole', () => {
  const version = 'v'.repeat(128 - '-app-1-'.length - 16);
  const tag = artefactTag({ version, systemApp: 'app', systemVersion: '1', key });
  assert.equal(tag.length, 128);
  assert.equal(tag, `${version}-app-1-309f41a4f958e9e5`);
});

test('an over-long tag is shortened to 128 characters, longest part first, keeping the key prefix', () => {
  const tag = artefactTag({ version: 'v'.repeat(100), systemApp: 'nerves_system_' + 'x'.repeat(80), systemVersion: '1.0.0', key });
  assert.equal(tag.length, 128);
  assert.ok(tag.endsWith('-309f41a4f958e9e5'));
  assert.ok(tag.includes('-1.0.0-'), 'the short part is kept whole');
  const [version, app] = tag.split('-');
  assert.ok(Math.abs(version.length - app.length) <= 1, 'the two long parts are trimmed to about the same length');
  assert.ok(isValidTag(tag));
});

test('shortening is deterministic and depends only on the input', () => {
  const p = { version: '1.0.0+' + 'b'.repeat(150), systemApp: 'nerves_system_rpi4', systemVersion: '2.0.4', key };
  assert.equal(artefactTag(p), artefactTag({ ...p }));
  assert.equal(artefactTag(p), `1.0.0_${'b'.repeat(128 - 6 - '-nerves_system_rpi4-2.0.4-'.length - 16)}-nerves_system_rpi4-2.0.4-309f41a4f958e9e5`);
});

test('any input yields a valid tag ending with the key prefix', () => {
  // A fixed pseudo-random sweep over awkward characters and lengths.
  const alphabet = ['a', 'Z', '9', '.', '-', '_', '+', '~', '/', ' ', ':', '@', 'é', '😀'];
  for (let i = 0; i < 500; i++) {
    const bytes = createHash('sha256').update(String(i)).digest();
    const part = (offset: number) => Array.from({ length: 1 + ((bytes[offset] * 7) % 90) }, (_, j) => alphabet[(bytes[(offset + j) % 32] + j) % alphabet.length]).join('');
    const k = createHash('sha256').update(`key${i}`).digest('hex');
    const tag = artefactTag({ version: part(0), systemApp: part(10), systemVersion: part(20), key: k });
    assert.ok(isValidTag(tag), tag);
    assert.ok(tag.endsWith(`-${k.slice(0, 16)}`), tag);
  }
});

test('a key that is not 64 lowercase hex digits is refused', () => {
  for (const bad of [key.slice(0, 16), key.toUpperCase(), `${key}0`, `sha256:${key}`, key.replace('f', 'g')]) {
    assert.throws(() => artefactTag({ version: '1', systemApp: 'a', systemVersion: '1', key: bad }), /the key must be 64 lowercase hex digits/);
  }
});

test('an empty readable part is refused', () => {
  assert.throws(() => artefactTag({ version: '', systemApp: 'a', systemVersion: '1', key }), /version must be a non-empty string/);
});
