import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { copyWorkspace, runNx, type NxRun } from './support/nx-workspace';
import { tempDir } from './support/temp';

// Real nx in a temporary git workspace: Nx's cache must follow exactly the cache key's inputs.

const ws = copyWorkspace();
const hello = 'examples/packages/nbpr-hello';
const exampleSystem = 'examples/systems/nerves_system_nbpr_example-portable-0.1.0';

function resolveAll(env: Record<string, string> = {}): NxRun {
  const run = runNx(ws, ['run-many', '-t', 'resolve'], env);
  assert.equal(run.status, 0, run.output);
  return run;
}

function key(project: string, root: string): string {
  const doc = JSON.parse(readFileSync(join(ws, 'dist', root, 'resolved.json'), 'utf8'));
  assert.equal(doc.project, project);
  return doc.packages[0].key;
}

/** Rewrites a file of the workspace; an edit that changes nothing fails the test (its pattern no longer matches). */
function edit(path: string, change: (text: string) => string): void {
  const file = join(ws, path);
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  assert.notEqual(after, before, `the edit of ${path} changed nothing`);
  writeFileSync(file, after);
}

test('a second run takes every task from the cache', () => {
  const cold = resolveAll();
  assert.ok(cold.ran.has('nbpr-hello:resolve'), cold.output);
  assert.ok(cold.ran.has('jq:resolve'), cold.output);
  const warm = resolveAll();
  assert.equal(warm.ran.size, 0, `expected no task to run:\n${warm.output}`);
  assert.ok(warm.cached.size >= cold.ran.size, warm.output);
});

test("editing a file under a package's buildroot/ changes its key and its tasks miss", () => {
  const before = key('nbpr-hello', hello);
  appendFileSync(join(ws, hello, 'buildroot', 'Config.in'), '\n# a comment that changes the tree\n');
  const run = resolveAll();
  assert.ok(run.ran.has('nbpr-hello:resolve'), run.output);
  assert.ok(run.ran.has('example-firmware:resolve'), 'the firmware including it misses too\n' + run.output);
  assert.ok(run.cached.has('jq:resolve'), 'other packages still hit\n' + run.output);
  assert.notEqual(key('nbpr-hello', hello), before);
});

test('making a file under buildroot/ executable changes the key and misses, though its content is the same', () => {
  resolveAll();
  const before = key('nbpr-hello', hello);
  chmodSync(join(ws, hello, 'buildroot', 'external.desc'), 0o755);
  const run = resolveAll();
  assert.ok(run.ran.has('nbpr-hello:resolve'), run.output);
  assert.notEqual(key('nbpr-hello', hello), before);
});

test('editing README or description keeps the key and hits', () => {
  const before = key('nbpr-hello', hello);
  appendFileSync(join(ws, hello, 'README.md'), '\nMore words.\n');
  edit(`${hello}/nbpr.json`, (t) => t.replace(/"description": "([^"]*)"/, '"description": "$1 (reworded)"'));
  const run = resolveAll();
  assert.equal(run.ran.size, 0, run.output);
  assert.equal(key('nbpr-hello', hello), before);
});

test('editing a build option default changes the key and misses', () => {
  edit('examples/packages/nbpr-heartbeat/nbpr.json', (t) => t.replace(/"default": "alive"/, '"default": "still alive"'));
  const run = resolveAll();
  assert.ok(run.ran.has('nbpr-heartbeat:resolve'), run.output);
  assert.ok(run.cached.has('nbpr-hello:resolve'), run.output);
});

test('turning on exposeStaging changes the key and misses: the artefact then carries staging files', () => {
  const before = key('nbpr-hello', hello);
  edit(`${hello}/nbpr.json`, (t) => t.replace(/\n  "targets":/, '\n  "exposeStaging": true,\n  "targets":'));
  const run = resolveAll();
  assert.ok(run.ran.has('nbpr-hello:resolve'), run.output);
  assert.notEqual(key('nbpr-hello', hello), before);
});

test('changing NBPR_SYSTEM misses', () => {
  resolveAll();
  const artifacts = tempDir('nbpr-artifacts-');
  const other = join(artifacts, 'nerves_system_nbpr_example-portable-0.2.0');
  cpSync(join(ws, exampleSystem), other, { recursive: true });
  const run = resolveAll({ NBPR_SYSTEM: 'nerves_system_nbpr_example@0.2.0', NERVES_ARTIFACTS_DIR: artifacts });
  assert.ok(run.ran.has('nbpr-hello:resolve'), run.output);
  assert.match(readFileSync(join(ws, 'dist', hello, 'resolved.json'), 'utf8'), /"version": "0\.2\.0"/);
});

test("changing the system's .config misses", () => {
  resolveAll();
  appendFileSync(join(ws, exampleSystem, '.config'), 'BR2_PACKAGE_HTOP=y\n');
  const run = resolveAll();
  assert.ok(run.ran.has('nbpr-hello:resolve'), run.output);
  assert.ok(run.ran.has('jq:resolve'), run.output);
});

test('editing a file in libs/ misses', () => {
  resolveAll();
  appendFileSync(join(ws, 'libs', 'resolve', 'src', 'kconfig-values.ts'), '\n// an edit to NBPR code\n');
  const run = resolveAll();
  assert.ok(run.ran.has('nbpr-hello:resolve'), run.output);
  assert.ok(run.ran.has('jq:resolve'), run.output);
  assert.equal(run.cached.size, 0, run.output);
});

test("another trust policy misses fetch-or-build; so does another trusted key, which keeps resolve's hit", () => {
  // A workspace of its own: the edits above change every key, so the embedded registry would miss.
  const fresh = copyWorkspace();
  const env = { NBPR_CACHE_DIR: join(tempDir(), 'store') };
  const fetch = () => {
    const run = runNx(fresh, ['run', 'nbpr-hello:fetch-or-build'], env);
    assert.equal(run.status, 0, run.output);
    return run;
  };
  const rewrite = (path: string, change: (text: string) => string) => {
    const before = readFileSync(join(fresh, path), 'utf8');
    const after = change(before);
    assert.notEqual(after, before, `the edit of ${path} changed nothing`);
    writeFileSync(join(fresh, path), after);
  };
  assert.match(fetch().output, /fetched nbpr-hello 0\.1\.0 .*, signed by [0-9a-f]{16} \(examples\/keys\/nbpr-example\.pub\)/);
  assert.ok(fetch().cached.has('nbpr-hello:fetch-or-build'), 'unchanged: a hit');
  rewrite('nx.json', (text) => text.replace('"policy": "require"', '"policy": "warn"'));
  // Nx runs every task again when nx.json changes.
  assert.ok(fetch().ran.has('nbpr-hello:fetch-or-build'));
  assert.ok(fetch().cached.has('nbpr-hello:fetch-or-build'), 'the new policy unchanged: a hit');
  rewrite('examples/keys/nbpr-example.pub', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const rekeyed = fetch();
  assert.ok(rekeyed.ran.has('nbpr-hello:fetch-or-build'), rekeyed.output);
  assert.ok(rekeyed.cached.has('nbpr-hello:resolve'), rekeyed.output);
});

test('NERVES_SYSTEM naming a system outside the workspace with another .config misses, though NBPR_SYSTEM is unset', () => {
  resolveAll();
  const elsewhere = join(tempDir(), 'nerves_system_nbpr_example-portable-0.1.0');
  cpSync(join(ws, exampleSystem), elsewhere, { recursive: true });
  appendFileSync(join(elsewhere, '.config'), 'BR2_PACKAGE_LESS=y\n');
  const run = resolveAll({ NERVES_SYSTEM: elsewhere });
  assert.ok(run.ran.has('nbpr-hello:resolve'), run.output);
  assert.ok(resolveAll({ NERVES_SYSTEM: elsewhere }).cached.has('nbpr-hello:resolve'), 'the same system again: a hit');
});
