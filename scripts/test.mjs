#!/usr/bin/env node
// Runs every *.test.ts under libs/, tools/ and test/ with node's own test runner.
// TypeScript is compiled on the fly by @swc-node/register (no build step), which
// child test processes inherit through NODE_OPTIONS.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set(['node_modules', 'dist', '.nx', 'fixtures', '.git']);

function findTests(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const filter = process.argv.slice(2);
const files = ['libs', 'tools', 'test']
  .flatMap((d) => findTests(join(root, d)))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filter.join(' ')}`);
  process.exit(1);
}
const env = {
  ...process.env,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--require @swc-node/register'].filter(Boolean).join(' '),
  SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
};
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
