import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyWorkspace, runNx } from './support/nx-workspace';
import { repoRoot } from './support/reference';
import { tempDir } from './support/temp';
import { doubleBuildEnv } from './support/buildroot-double';

// nx g @nbpr/nx-plugin:package and :firmware, through real nx in a copy of the workspace.

const double = join(repoRoot, 'test', 'fixtures', 'buildroot-double');

function fill(file: string, fields: Record<string, string>): void {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  Object.assign(json, fields);
  writeFileSync(file, JSON.stringify(json, null, 2));
}

test('a mainline package is scaffolded from the Buildroot tree; --dry-run writes nothing; the TODO left is refused until filled', () => {
  const ws = copyWorkspace();
  const dry = runNx(ws, ['g', '@nbpr/nx-plugin:package', 'oniguruma', `--buildroot-dir=${double}`, '--dry-run']);
  assert.equal(dry.status, 0, dry.output);
  assert.match(dry.output, /CREATE packages\/oniguruma\/nbpr\.json/);
  assert.ok(!existsSync(join(ws, 'packages', 'oniguruma')));
  const real = runNx(ws, ['g', '@nbpr/nx-plugin:package', 'oniguruma', `--buildroot-dir=${double}`]);
  assert.equal(real.status, 0, real.output);
  const file = join(ws, 'packages', 'oniguruma', 'nbpr.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(json.version, '6.9.10');
  assert.equal(json.licenses, 'BSD-2-Clause');
  assert.equal(json.buildroot.package, 'oniguruma');
  const refused = runNx(ws, ['show', 'projects']);
  assert.notEqual(refused.status, 0);
  assert.match(refused.output, /packages\/oniguruma\/nbpr\.json:\d+:\d+ \/homepage: "TODO/);
  fill(file, { homepage: 'https://github.com/kkos/oniguruma' });
  const shown = runNx(ws, ['show', 'projects']);
  assert.equal(shown.status, 0, shown.output);
  assert.match(shown.output, /^oniguruma$/m);
});

test('existing and malformed names are refused', () => {
  const ws = copyWorkspace();
  const exists = runNx(ws, ['g', '@nbpr/nx-plugin:package', 'jq']);
  assert.notEqual(exists.status, 0);
  assert.match(exists.output, /a package named 'jq' already exists/);
  const bad = runNx(ws, ['g', '@nbpr/nx-plugin:package', 'Bad_Name']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.output, /Bad_Name/);
});

test('a vendored package gets a BR2_EXTERNAL tree that Buildroot builds once its TODOs are filled', () => {
  const ws = copyWorkspace();
  const run = runNx(ws, ['g', '@nbpr/nx-plugin:package', 'nbpr-tool', '--vendored']);
  assert.equal(run.status, 0, run.output);
  const dir = join(ws, 'packages', 'nbpr-tool');
  assert.match(readFileSync(join(dir, 'buildroot', 'external.desc'), 'utf8'), /^name: NBPR_TOOL$/m);
  assert.ok(statSync(join(dir, 'buildroot', 'package', 'nbpr-tool', 'src', 'nbpr-tool')).mode & 0o100, 'the script is executable');
  fill(join(dir, 'nbpr.json'), { description: 'A tool made here', homepage: 'https://example.org/nbpr-tool', licenses: 'Apache-2.0' });
  const built = runNx(ws, ['run', 'nbpr-tool:fetch-or-build'], { ...doubleBuildEnv(tempDir()), NBPR_BUILD_ROOT: tempDir(), NBPR_CACHE_DIR: join(tempDir(), 'store') });
  assert.equal(built.status, 0, built.output);
  assert.match(built.output, /no prebuilt nbpr-tool 0\.1\.0 .*: building from source/);
  assert.match(built.output, /nbpr-tool 0\.1\.0 Installing to target/);
});

test('a firmware profile is scaffolded for the default system and becomes a project', () => {
  const ws = copyWorkspace();
  const unknown = runNx(ws, ['g', '@nbpr/nx-plugin:firmware', 'my-fw', '--packages=nbpr-helo']);
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.output, /no NBPR package named 'nbpr-helo'; did you mean 'nbpr-hello'\?/);
  const run = runNx(ws, ['g', '@nbpr/nx-plugin:firmware', 'my-fw', '--packages=nbpr-hello']);
  assert.equal(run.status, 0, run.output);
  const profile = JSON.parse(readFileSync(join(ws, 'firmware', 'my-fw', 'nbpr.firmware.json'), 'utf8'));
  assert.equal(profile.system, 'nerves_system_nbpr_example@0.1.0');
  assert.deepEqual(profile.packages, { 'nbpr-hello': {} });
  const resolve = runNx(ws, ['run', 'my-fw:resolve']);
  assert.equal(resolve.status, 0, resolve.output);
});
