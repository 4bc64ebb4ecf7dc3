import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKey, canonicalJson, KEY_SCHEMA_VERSION, validateKeyDocument, KeyDocument } from '../src';

const golden = JSON.parse(readFileSync(join(__dirname, 'golden-vectors.json'), 'utf8')) as {
  vectors: Array<{ name: string; document: KeyDocument; canonical: string; key: string }>;
};
const BUMP = `the key algorithm changed: every published key changes with it, so bump KEY_SCHEMA_VERSION (now ${KEY_SCHEMA_VERSION}) and regenerate golden-vectors.json on purpose`;

test('there are golden vectors for at least four realistic packages', () => {
  assert.ok(golden.vectors.length >= 4);
});

for (const vector of golden.vectors) {
  test(`golden vector keeps its canonical JSON and key: ${vector.name}`, () => {
    assert.equal(canonicalJson(vector.document), vector.canonical, BUMP);
    assert.equal(cacheKey(vector.document), vector.key, BUMP);
  });
}

test('a key is 64 lowercase hex digits', () => {
  for (const vector of golden.vectors) assert.match(cacheKey(vector.document), /^[0-9a-f]{64}$/);
});

test('every field of the document changes the key', () => {
  const base = golden.vectors[1].document; // dnsmasq, with options
  const key = cacheKey(base);
  const edits: Array<[string, (d: KeyDocument) => void]> = [
    ['package.name', (d) => (d.package.name = 'dnsmasq2')],
    ['package.version', (d) => (d.package.version = '2.92rel3')],
    ['build.packages', (d) => d.build.packages.push('libidn2')],
    ['build.kconfig value', (d) => (d.build.kconfig.BR2_PACKAGE_DNSMASQ_TFTP = 'y')],
    ['build.kconfig symbol', (d) => (d.build.kconfig.BR2_PACKAGE_DNSMASQ_EXTRA = 'n')],
    ['an option value', (d) => (d.options.tftp = true)],
    ['an option type', (d) => (d.options.tftp = 'false')],
    ['system.app', (d) => (d.system.app = 'nerves_system_rpi5')],
    ['system.version', (d) => (d.system.version = '2.0.5')],
    ['system.buildroot', (d) => (d.system.buildroot = '2026.05.2')],
    ['system.config', (d) => (d.system.config = `sha256:${'4'.repeat(64)}`)],
    ['tree', (d) => (d.tree = `sha256:${'5'.repeat(64)}`)],
    ['build.staging', (d) => (d.build.staging = true)],
  ];
  for (const [what, edit] of edits) {
    const doc = structuredClone(base);
    edit(doc);
    assert.notEqual(cacheKey(doc), key, `${what} must change the key`);
  }
});

test('member order in the document does not change the key', () => {
  const doc = golden.vectors[1].document;
  const reordered = { tree: doc.tree, system: { ...doc.system }, options: Object.fromEntries(Object.entries(doc.options).reverse()), build: doc.build, package: doc.package, nbpr: doc.nbpr };
  assert.equal(cacheKey(reordered), cacheKey(doc));
});

test('a document read back from its canonical JSON validates and keeps its key', () => {
  for (const vector of golden.vectors) {
    const parsed: unknown = JSON.parse(vector.canonical);
    validateKeyDocument(parsed);
    assert.equal(cacheKey(parsed), vector.key);
  }
});

test('a document of another key schema version is refused as a schema version mismatch', () => {
  const doc = { ...golden.vectors[0].document, nbpr: 2 } as unknown as KeyDocument;
  assert.throws(() => cacheKey(doc), /key schema version mismatch: the document has nbpr 2, this NBPR reads version 1/);
  assert.throws(() => validateKeyDocument({ package: {} }), /key schema version mismatch: the document has nbpr undefined/);
});

test('an extra field, at the top or nested, is refused: nothing unlisted may enter a key', () => {
  const doc = golden.vectors[0].document;
  assert.throws(() => validateKeyDocument({ ...doc, host: 'builder-1' }), /the document has unexpected field\(s\) host/);
  assert.throws(() => validateKeyDocument({ ...doc, package: { ...doc.package, description: 'JSON processor' } }), /package has unexpected field\(s\) description/);
  assert.throws(() => validateKeyDocument({ ...doc, system: { ...doc.system, host: 'x86_64' } }), /system has unexpected field\(s\) host/);
  assert.throws(() => validateKeyDocument({ ...doc, build: { ...doc.build, daemons: [] } }), /build has unexpected field\(s\) daemons/);
});

test('malformed fields are refused with a message naming the field', () => {
  const doc = golden.vectors[0].document;
  const bad: Array<[unknown, RegExp]> = [
    [null, /the document must be an object/],
    [{ ...doc, tree: undefined }, /tree must be null or sha256/],
    [(({ tree: _, ...rest }) => rest)(doc), /the document is missing tree/],
    [{ ...doc, package: { name: 'jq', version: '' } }, /package.version must be a non-empty string/],
    [{ ...doc, build: { packages: [], kconfig: {} } }, /build.packages must be a non-empty list/],
    [{ ...doc, build: { packages: ['jq'], kconfig: { BR2_PACKAGE_JQ: true } } }, /build.kconfig.BR2_PACKAGE_JQ must be a raw .config value/],
    [{ ...doc, build: { packages: ['jq'], kconfig: { BR2_PACKAGE_JQ: 'yes' } } }, /build.kconfig.BR2_PACKAGE_JQ must be a raw .config value.*"yes"/],
    [{ ...doc, build: { packages: ['jq'], kconfig: { BR2_X: 'unquoted string' } } }, /build.kconfig.BR2_X must be a raw/],
    [{ ...doc, build: { packages: ['jq'], kconfig: { 'BR2 X': 'y' } } }, /symbol "BR2 X" is not a Kconfig symbol name/],
    [{ ...doc, options: { level: Number.NaN } }, /options.level must be a boolean, a finite number or a string, got NaN/],
    [{ ...doc, options: { list: ['a'] } }, /options.list must be a boolean, a finite number or a string/],
    [{ ...doc, system: { ...doc.system, config: 'sha256:ABC' } }, /system.config must be sha256:<64 lowercase hex digits>, got "sha256:ABC"/],
    [{ ...doc, tree: 'f'.repeat(64) }, /tree must be null or sha256:<64 lowercase hex digits>/],
  ];
  for (const [value, message] of bad) assert.throws(() => validateKeyDocument(value), message);
});

test('raw .config values of every kind are accepted', () => {
  const doc = structuredClone(golden.vectors[0].document);
  doc.build.kconfig = { A: 'y', B: 'n', C: 'm', D: '115200', E: '-40', F: '0x1F', G: '""', H: '"a \\"quoted\\" \\\\ value"' };
  assert.doesNotThrow(() => validateKeyDocument(doc));
});

test('build.staging is optional and, when present, only true: keys without it are unchanged', () => {
  const base = golden.vectors[1].document;
  assert.ok(!('staging' in base.build), 'the golden vectors predate it and keep their keys');
  validateKeyDocument({ ...base, build: { ...base.build, staging: true } });
  assert.throws(() => validateKeyDocument({ ...base, build: { ...base.build, staging: false } }), /build\.staging must be true when present, got false/);
});
