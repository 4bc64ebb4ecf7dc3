import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryRepository } from '@nbpr/oci';
import { copyWorkspace, runNx } from './support/nx-workspace';
import { startRegistry } from './support/registry';
import { startCacheServer } from './support/cache-server';
import { tempDir } from './support/temp';

// Nx's self-hosted remote cache served by `nbpr cache-server`, kept in a real local registry.

test('real nx: after deleting .nx/cache and dist, every task of the firmware pipeline is restored from the registry-backed remote cache', async () => {
  const token = 'nx-cache-token-' + randomBytes(8).toString('hex');
  const registry = await startRegistry();
  const ws = copyWorkspace();
  const server = await startCacheServer(ws, `${registry.host}/nbpr`, token, ['--verbose']);
  const env = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token, NBPR_CACHE_DIR: join(tempDir(), 'store') };

  const first = runNx(ws, ['run', 'example-firmware:stage'], env);
  assert.equal(first.status, 0, first.output);
  const tasks = [...first.ran].sort();
  assert.ok(tasks.length >= 5, first.output);
  const tags = await new RegistryRepository(registry.host, 'nbpr/nx-cache').listTags();
  assert.ok(tags.length >= tasks.length, `one artefact per task output in the registry: ${tags.join(', ')}`);

  rmSync(join(ws, '.nx', 'cache'), { recursive: true, force: true });
  rmSync(join(ws, 'dist'), { recursive: true, force: true });
  const second = runNx(ws, ['run', 'example-firmware:stage'], { ...env, NBPR_CACHE_DIR: join(tempDir(), 'other-store') });
  assert.equal(second.status, 0, second.output);
  assert.deepEqual([...second.ran], [], second.output);
  for (const task of tasks) assert.match(second.output, new RegExp(`> nx run ${task.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+\\[remote cache\\]`), second.output);
  const log = server.output();
  assert.equal(log.match(/PUT \/v1\/cache\/\S+ -> 200 in /g)?.length, tasks.length, `one upload per task, answered 200 (Nx 24 uploads twice after a 202):\n${log}`);
  assert.ok((log.match(/GET \/v1\/cache\/\S+ -> 200 in /g)?.length ?? 0) >= tasks.length, log);
  assert.doesNotMatch(first.output + second.output + server.output(), new RegExp(token), 'the token never appears in output');
});
