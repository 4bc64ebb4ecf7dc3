import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitAll, copyWorkspace, runNx } from './support/nx-workspace';
import { tempDir } from './support/temp';

// Start-up is most of what a cold Nx run of NBPR costs: every Nx invocation starts the graph
// build and a batch process, and each loads NBPR. These modules are the expensive ones that
// nothing NBPR does needs; each was once loaded in one of those processes.
const HEAVY = [/\/typescript\/lib\/typescript\.js$/, /\/@swc-node\/register\//, /\/@nx\/devkit\/dist\/index\.js$/, /\/nx\/dist\/src\/devkit-internals\.js$/];

/** A preload that logs each process it starts in, and each heavy module that process loads. */
function loadTracer(dir: string): { env: Record<string, string>; read: () => { processes: string[]; heavy: string[] } } {
  const log = join(dir, 'loads.log');
  const tracer = join(dir, 'trace-loads.js');
  writeFileSync(
    tracer,
    `'use strict';
const { appendFileSync } = require('node:fs');
const Module = require('node:module');
const heavy = [${HEAVY.map((r) => r.toString()).join(', ')}];
const who = process.pid + ' ' + (process.argv[1] || '').split('/').slice(-2).join('/');
appendFileSync(${JSON.stringify(log)}, 'process ' + who + '\\n');
// Module.prototype.load runs once per module actually loaded (resolving one does not count).
const load = Module.prototype.load;
Module.prototype.load = function (file) {
  if (heavy.some((r) => r.test(file))) appendFileSync(${JSON.stringify(log)}, 'heavy ' + who + ' ' + file + '\\n');
  return load.call(this, file);
};
`,
  );
  return {
    env: { NODE_OPTIONS: `--require ${tracer}` },
    read: () => {
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      return { processes: lines.filter((l) => l.startsWith('process ')), heavy: [...new Set(lines.filter((l) => l.startsWith('heavy ')))] };
    },
  };
}

test('a cold nx run of the example firmware loads neither the TypeScript compiler nor the @nx/devkit index in any of its processes', () => {
  const ws = copyWorkspace();
  const trace = loadTracer(tempDir());
  const run = runNx(ws, ['run', 'example-firmware:stage', '--skip-nx-cache'], { ...trace.env, NBPR_CACHE_DIR: join(tempDir(), 'store') });
  assert.equal(run.status, 0, run.output);
  const { processes, heavy } = trace.read();
  assert.ok(processes.some((p) => p.endsWith('bin/nx.js')), `the tracer ran in nx itself: ${processes.join(', ')}`);
  assert.ok(processes.some((p) => p.endsWith('batch/run-batch.js')), `the tracer ran in the batch process: ${processes.join(', ')}`);
  assert.deepEqual(heavy, []);
});

test('a root tsconfig.json would make Nx load the TypeScript compiler in the graph build and in the batch process', () => {
  // Why the workspace's TypeScript project is tsconfig.workspace.json; and proof that the
  // tracer above sees what it looks for.
  const ws = copyWorkspace();
  writeFileSync(join(ws, 'tsconfig.json'), '{ "extends": "./tsconfig.workspace.json" }\n');
  commitAll(ws, 'a root tsconfig.json');
  const trace = loadTracer(tempDir());
  const run = runNx(ws, ['run', 'example-firmware:stage', '--skip-nx-cache'], { ...trace.env, NBPR_CACHE_DIR: join(tempDir(), 'store') });
  assert.equal(run.status, 0, run.output);
  const typescript = trace.read().heavy.filter((l) => l.endsWith('/typescript/lib/typescript.js'));
  assert.ok(typescript.some((l) => / bin\/nx\.js /.test(l)), typescript.join('\n'));
  assert.ok(typescript.some((l) => / batch\/run-batch\.js /.test(l)), typescript.join('\n'));
});
