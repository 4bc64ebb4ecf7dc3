import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDifferences } from '../src/why-miss';

test('jsonDifferences names each differing leaf by its path, absent ones included, and nothing for equal documents', () => {
  const before = { package: { name: 'jq', version: '1.8.1' }, options: { oniguruma: true }, build: { kconfig: { A: 'y' } } };
  const after = { package: { name: 'jq', version: '1.8.2' }, options: { oniguruma: true, docs: false }, build: { kconfig: {} } };
  assert.deepEqual(jsonDifferences(before, after), ['build.kconfig.A: "y" -> (absent)', 'options.docs: (absent) -> false', 'package.version: "1.8.1" -> "1.8.2"']);
  assert.deepEqual(jsonDifferences(before, structuredClone(before)), []);
  assert.deepEqual(jsonDifferences([1, 2], [1, 3]), ['(document): [1,2] -> [1,3]'], 'arrays compare whole');
});
