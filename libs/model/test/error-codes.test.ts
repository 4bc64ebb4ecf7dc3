import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, NbprError, NbprErrors, parseSystemId } from '../src';

const root = join(__dirname, '..', '..', '..');
const registry = join(root, 'libs', 'model', 'src', 'error-codes.ts');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['node_modules', 'dist', 'test', 'fixtures'].includes(entry.name)) sourceFiles(path, out);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && path !== registry) {
      out.push(path);
    }
  }
  return out;
}

const sources = ['libs', 'tools'].flatMap((d) => sourceFiles(join(root, d))).map((file) => readFileSync(file, 'utf8'));

/** Codes nothing throws any more: they stay registered (users match on them), listed here. */
const RETIRED: string[] = [];

test('every registered error code is thrown somewhere in libs/ or tools/, unless retired', () => {
  const unused = Object.keys(ERROR_CODES).filter((code) => !RETIRED.includes(code) && !sources.some((text) => text.includes(`'${code}'`)));
  assert.deepEqual(unused, []);
});

test('every code a source names is registered', () => {
  const named = sources.flatMap((text) => [...text.matchAll(/\bcode: '([^']+)'/g)].map((m) => m[1]));
  assert.ok(named.length > 100, `found only ${named.length} codes in the sources`);
  assert.deepEqual(
    named.filter((code) => !(code in ERROR_CODES)),
    [],
  );
});

test('codes are kebab-case area/what and described in one sentence', () => {
  for (const [code, description] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^[a-z0-9]+(-[a-z0-9]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(description.length > 0 && !description.includes('\n'), code);
  }
});

test('a thrown NbprError formats with its code on the last line', () => {
  assert.throws(
    () => parseSystemId('rpi4'),
    (error: unknown) => {
      assert.ok(error instanceof NbprError);
      assert.equal(error.code, 'system/invalid-id');
      assert.equal(error.format(), "NBPR_SYSTEM or defaultSystem: 'rpi4' is not a system id\n  Name a system as <app>@<version>, e.g. nerves_system_rpi4@2.0.4.\n  code: system/invalid-id");
      return true;
    },
  );
});

test('several errors share their code when they have one, and are several problems otherwise', () => {
  const a = new NbprError('a', { code: 'json/malformed' });
  const b = new NbprError('b', { code: 'json/malformed' });
  const c = new NbprError('c', { code: 'json/too-deep' });
  assert.equal(new NbprErrors([a, b]).code, 'json/malformed');
  assert.equal(new NbprErrors([a, c]).code, 'input/several-problems');
  assert.equal(new NbprErrors([a, c]).format(), 'a\n  code: json/malformed\nc\n  code: json/too-deep');
});
