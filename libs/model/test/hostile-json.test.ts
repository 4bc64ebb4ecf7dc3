import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Catalogue } from '../src';
import { loadPackageManifest } from '../src/package-manifest';
import { writeJson } from '../../../test/support/fixtures';
import { tempDir } from '../../../test/support/temp';
import { failureText } from '../../../test/support/errors';

const root = tempDir();
const pkg = (extra: Record<string, unknown>) => ({ schemaVersion: 1, name: 'foo', version: '1.0', description: 'a package', homepage: 'https://example.org/', licenses: 'MIT', buildroot: { package: 'foo' }, targets: ['*'], ...extra });

const failure = failureText;

test('deeply nested JSON is an error naming the file and the place, not a stack overflow', () => {
  const depth = 100_000;
  const path = writeJson(join(root, 'deep', 'foo', 'nbpr.json'), `{"x": ${'['.repeat(depth)}${']'.repeat(depth)}}`);
  const message = failure(() => loadPackageManifest(path));
  assert.match(message, /deep\/foo\/nbpr\.json:1:\d+: JSON nested more than 64 levels deep/);
  assert.doesNotMatch(message, /Maximum call stack|\n\s+at /);
  assert.match(failure(() => Catalogue.load([path])), /nested more than 64 levels/, 'through the catalogue (and so Nx) too');
});

test('brackets inside strings do not count as nesting', () => {
  const path = writeJson(join(root, 'strings', 'foo', 'nbpr.json'), pkg({ description: '['.repeat(200) + ' "\\"{{{{ ' }));
  assert.equal(loadPackageManifest(path).metadata.name, 'foo');
});

test('an option pattern that is not a regular expression is refused naming its pointer, not thrown as a SyntaxError', () => {
  const path = writeJson(join(root, 'regex', 'foo', 'nbpr.json'), pkg({ options: { name: { type: 'string', description: 'a name', default: 'x', pattern: '([a-z', kconfig: 'BR2_PACKAGE_FOO_NAME' } } }));
  const message = failure(() => loadPackageManifest(path));
  assert.match(message, /\/options\/name\/pattern: pattern of option 'name' is not a valid regular expression: "\(\[a-z"/);
});

test('half a surrogate pair, in a value or a member name, is refused at its place (it has no UTF-8 form); a whole pair loads', () => {
  const value = writeJson(join(root, 'surrogate', 'foo', 'nbpr.json'), JSON.stringify(pkg({ runtimeEnv: { FOO_GREETING: 'hi' } }), null, 2).replace('"hi"', '"h\\ud800i"'));
  assert.match(failure(() => loadPackageManifest(value)), /surrogate\/foo\/nbpr\.json:\d+:\d+ \/runtimeEnv\/FOO_GREETING: a string holds a lone UTF-16 surrogate[^]*code: json\/lone-surrogate/);
  const name = writeJson(join(root, 'surrogate-name', 'foo', 'nbpr.json'), JSON.stringify(pkg({ runtimeEnv: { FOO_GREETING: 'hi' } })).replace('"FOO_GREETING"', '"FOO_\\udc00"'));
  assert.match(failure(() => loadPackageManifest(name)), /nbpr\.json:1:\d+ \/runtimeEnv: a member name holds a lone UTF-16 surrogate/);
  const pair = writeJson(join(root, 'pair', 'foo', 'nbpr.json'), JSON.stringify(pkg({ description: 'a package \ud83d\udce6' })).replace('\ud83d\udce6', '\\ud83d\\udce6'));
  assert.equal(loadPackageManifest(pair).metadata.description, 'a package \u{1f4e6}');
});

test('a member name given twice in one object is refused at the second one, whichever value would have won', () => {
  const text = JSON.stringify(pkg({ runtimeEnv: { FOO_A: 'one', FOO_B: 'two' } }), null, 2).replace('"FOO_B"', '"FOO_A"');
  const path = writeJson(join(root, 'twice', 'foo', 'nbpr.json'), text);
  const line = text.split('\n').findIndex((l) => l.includes('"two"')) + 1;
  assert.match(failure(() => loadPackageManifest(path)), new RegExp(`twice/foo/nbpr\\.json:${line}:\\d+ /runtimeEnv: the member name "FOO_A" appears twice in one object[^]*code: json/duplicate-name`));
  const nested = writeJson(join(root, 'twice-top', 'foo', 'nbpr.json'), JSON.stringify(pkg({})).replace('"version":"1.0"', '"version":"1.0","version":"2.0"'));
  assert.match(failure(() => loadPackageManifest(nested)), /nbpr\.json:1:\d+ \/: the member name "version" appears twice/);
});

test("a vendored package's BR2_EXTERNAL tree must be inside its directory: '..' and '.' segments are refused at /buildroot/external", () => {
  for (const external of ['..', '../../..', 'buildroot/../..', './buildroot', 'a/./b']) {
    const path = writeJson(join(root, 'external', 'foo', 'nbpr.json'), pkg({ buildroot: { external, packages: ['foo'] } }));
    assert.match(failure(() => loadPackageManifest(path)), /\/buildroot\/external: .* is not valid here/, external);
  }
  const path = writeJson(join(root, 'external-ok', 'foo', 'nbpr.json'), pkg({ buildroot: { external: 'br/ext.v2', packages: ['foo'] } }));
  assert.match(failure(() => loadPackageManifest(path)), /BR2_EXTERNAL tree 'br\/ext\.v2' does not exist/, 'a path of dotted names passes the schema');
});
