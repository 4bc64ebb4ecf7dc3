#!/usr/bin/env node
// Runs every *.test.ts under libs/, tools/ and test/ with node's own test runner.
// TypeScript is compiled on the fly by @swc-node/register (no build step), which
// child test processes inherit through NODE_OPTIONS.
import { readdirSync, readFileSync, statSync } from 'node:fs';
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
  SWC_NODE_PROJECT: join(root, 'tsconfig.workspace.json'),
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
};
// Every process the tests start inherits this marker (servers, shells, daemons, orphans too).
const marker = `NBPR_TEST_RUN=${process.pid}-${Date.now()}`;
env.NBPR_TEST_RUN = marker.slice('NBPR_TEST_RUN='.length);
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {
  cwd: root,
  env,
  stdio: 'inherit',
});

// Every process a test starts must be gone when the suite ends: a server, a daemon under a
// supervisor, a shell loop. Anything new still running is listed, killed, and fails the run.
await new Promise((resolve) => setTimeout(resolve, 1000));
const left = processes().filter((p) => p.pid !== process.pid && p.marked);
if (left.length > 0) {
  console.error(`\n# processes left running by the tests: ${left.length}`);
  for (const p of left) {
    console.error(`#   ${p.pid} ${p.cmdline}`);
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {}
  }
}
process.exit(left.length > 0 ? 1 : (result.status ?? 1));

/** The processes of this machine (Linux /proc): command line, and whether the tests started them (the marker in their environment). */
function processes() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const marked = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(marker);
      out.push({ pid: Number(name), marked, cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {}
  }
  return out;
}
