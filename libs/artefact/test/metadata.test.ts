import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateArtefactMetadata } from '../src';
import { ArtefactMetadata } from '../src/format';
import { ARTEFACT_SCHEMA_FILE } from '../src/schema';
import { symlinkEscape } from '../src/symlink-escape';
import { metadataFor } from './support';

const valid = (): ArtefactMetadata =>
  metadataFor([
    { path: 'legal-info', type: 'Directory' },
    { path: 'legal-info/manifest.csv', type: 'File', content: '"PACKAGE","VERSION"\n' },
    { path: 'target', type: 'Directory' },
    { path: 'target/lib', type: 'SymbolicLink', linkpath: 'usr/lib' },
    { path: 'target/usr', type: 'Directory' },
  ]);

const problems = (mutate: (m: any) => void): string => {
  const m = valid() as any;
  mutate(m);
  try {
    validateArtefactMetadata(m, 'x/nbpr-artefact.json');
  } catch (error) {
    assert.equal((error as { where?: string }).where, 'x/nbpr-artefact.json');
    return (error as Error).message;
  }
  return '';
};

test('valid metadata passes, and the schema file is a 2020-12 JSON Schema', () => {
  assert.equal(problems(() => undefined), '');
  const schema = JSON.parse(readFileSync(ARTEFACT_SCHEMA_FILE, 'utf8'));
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
});

test('schema errors are listed all at once, each with its JSON pointer', () => {
  const message = problems((m) => {
    m.schemaVersion = 2;
    m.extra = true;
    m.files[1].mode = 0o666;
    delete m.files[1].sha256;
    delete m.sonames.needed;
    m.build.kconfig['not-a-symbol'] = 'y';
  });
  assert.match(message, /^invalid nbpr-artefact\.json:\n/);
  for (const line of [
    "/: unexpected field 'extra'",
    '/schemaVersion: expected 1, got 2',
    "/files/1: missing required field 'sha256'",
    '/files/1/mode: expected one of 420, 493, got 438',
    "/sonames: missing required field 'needed'",
    '/build/kconfig: must match pattern "^[A-Za-z0-9_]+$", got "not-a-symbol"',
  ]) assert.ok(message.includes(line), `${line}\nin\n${message}`);
});

test('the key must be the hash of the key document, and the key document whole', () => {
  assert.match(problems((m) => (m.key = 'a'.repeat(64))), /\/key: a{64} is not the hash of the key document \([0-9a-f]{64}\)/);
  assert.match(problems((m) => (m.keyDocument.host = 'builder-7')), /\/keyDocument: invalid key document: the document has unexpected field\(s\) host/);
});

test('the file list must be canonical: sorted bytewise, unique, safe paths, nothing inside a symlink, links inside', () => {
  assert.match(problems((m) => m.files.reverse()), /out of bytewise order/);
  assert.match(problems((m) => m.files.splice(1, 0, { ...m.files[1] })), /"legal-info\/manifest\.csv" is listed twice/);
  assert.match(problems((m) => (m.files[4].path = 'target/./usr')), /"target\/\.\/usr": not a canonical path/);
  assert.match(problems((m) => m.files.splice(4, 0, { path: 'target/lib/x', type: 'directory', mode: 0o755 })), /"target\/lib\/x" is inside a symlink/);
  assert.match(problems((m) => (m.files[3].target = '../../etc')), /symlink target\/lib: link target \.\.\/\.\.\/etc escapes the tree/);
  assert.match(problems((m) => (m.files[3].target = '/etc')), /\/files\/3\/target: must match pattern/);
});

test('symlinks are resolved through each other as the kernel would', () => {
  const links = (entries: Record<string, string>) => symlinkEscape(new Map(Object.entries(entries)));
  assert.equal(links({ 'target/lib': 'usr/lib', 'target/usr/lib/libz.so': 'libz.so.1' }), undefined);
  assert.equal(links({ 'target/a': '..', 'target/b': 'a/legal-info' }), undefined, 'the tree root is inside');
  assert.match(links({ 'target/a': '..', 'target/b': 'a/../x' })!, /target\/b -> a\/\.\.\/x: resolves outside the tree/);
  assert.match(links({ 'target/a': 'b/c', 'target/b': '.', 'target/d': 'a/../../..' })!, /target\/d/);
  assert.match(links({ 'target/x': 'x' })!, /too many levels/);
  assert.equal(links({ 'target/dangling': 'no/such/file' }), undefined);
});
