import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './support/reference';

// TypeScript runs without a build step (swc strips types), so nothing else would notice a
// type error: the whole workspace is type-checked here.
test('the workspace type-checks', () => {
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.workspace.json'), '--noEmit'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
