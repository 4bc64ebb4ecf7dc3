import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKey, canonicalJson, KEY_SCHEMA_VERSION, validateKeyDocument, type KeyDocument } from '../src';

const golden = JSON.parse(readFileSync(join(__dirname, 'golden-vectors.json'), 'utf8')) as {
  vectors: Array<{ name: string; document: KeyDocument; canonical: string; key: string }>;
};

for (const vector of golden.vectors) {
  test(`golden vector: ${vector.name}`, () => {
    const hint = `the key algorithm changed: bump KEY_SCHEMA_VERSION (now ${KEY_SCHEMA_VERSION}) and regenerate the vectors on purpose`;
    assert.equal(canonicalJson(vector.document), vector.canonical, hint);
    assert.equal(cacheKey(vector.document), vector.key, hint);
  });
}

test('canonical JSON sorts keys by UTF-16 code units at every depth', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  // RFC 8785 3.2.3: '\u20ac' (one unit) sorts before '\ud83d\ude00' (surrogates) only by code units.
  assert.equal(canonicalJson({ '\u{1F600}': 1, '\u20ac': 2, '\r': 3, '1': 4 }), '{"\\r":3,"1":4,"€":2,"😀":1}');
});

test('canonical JSON writes numbers as ECMAScript does', () => {
  assert.equal(canonicalJson([1e21, 1e-7, -0, 0.1, 100, 4.5]), '[1e+21,1e-7,0,0.1,100,4.5]');
});

test('canonical JSON escapes only what JSON requires', () => {
  assert.equal(canonicalJson('a"b\\c\n\u0001é'), '"a\\"b\\\\c\\n\\u0001é"');
});

test('values without a JSON form are refused instead of silently dropped', () => {
  assert.throws(() => canonicalJson({ a: undefined }), /undefined at \/a/);
  assert.throws(() => canonicalJson([Number.NaN]), /NaN at \/0 is not a finite number/);
  assert.throws(() => canonicalJson({ n: 10n }), /bigint/);
});

test('a key is 64 lowercase hex digits and changes with any field', () => {
  const doc = structuredClone(golden.vectors[0].document);
  const key = cacheKey(doc);
  assert.match(key, /^[0-9a-f]{64}$/);
  doc.build.kconfig.BR2_PACKAGE_JQ = 'n';
  assert.notEqual(cacheKey(doc), key);
});

test('key order in the document does not change the key', () => {
  const doc = golden.vectors[1].document;
  const reordered = JSON.parse(JSON.stringify({ tree: doc.tree, system: doc.system, options: doc.options, build: doc.build, package: doc.package, nbpr: doc.nbpr }));
  assert.equal(cacheKey(reordered), cacheKey(doc));
});

test('a document of another key schema version is refused, saying so', () => {
  const doc = { ...golden.vectors[0].document, nbpr: 2 } as unknown as KeyDocument;
  assert.throws(() => cacheKey(doc), /key schema version is 2, this NBPR reads version 1/);
});

test('a document with an extra field is refused: nothing unlisted may enter a key', () => {
  assert.throws(() => validateKeyDocument({ ...golden.vectors[0].document, host: 'builder-1' }), /fields are .*host/);
});
