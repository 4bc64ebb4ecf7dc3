/**
 * Nx's remote cache on the registry (`nbpr cache-server` in front of Debian's docker-registry):
 * `nx run-many -t stage` over the whole catalogue (the NBPR catalogue, the examples and 50
 * generated packages with their firmware, every artefact published) run cold, uploading every
 * task output, then restored from the remote cache after deleting .nx/cache, dist and the
 * artefact store, as a fresh CI machine would. Reports restore / cold, and the local-cache run
 * and a cold run without a remote cache as peers measured in the same run.
 *
 *   node -r @swc-node/register bench/remote-cache.bench.ts [repetitions=3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchCacheServer } from '../test/support/cache-server';
import { withCatalogueWorkspace } from './support/catalogue-workspace';
import { median, timedNx } from './support/timed-nx';

const repetitions = Number(process.argv[2] ?? 3);
const token = 'bench-token';
const stage = ['run-many', '-t', 'stage'];

void withCatalogueWorkspace('nbpr-bench-remote-cache-', 50, async ({ root, ws, registry }) => {
  const fresh = () => {
    rmSync(join(ws, '.nx', 'cache'), { recursive: true, force: true });
    rmSync(join(ws, 'dist'), { recursive: true, force: true });
    return { NBPR_CACHE_DIR: mkdtempSync(join(root, 'store-')), NBPR_BUILD_ROOT: join(root, 'build') };
  };
  const cold: number[] = [];
  const coldNoRemote: number[] = [];
  const restored: number[] = [];
  const local: number[] = [];
  let tasks = 0;
  for (let i = 0; i < repetitions; i++) {
    coldNoRemote.push(timedNx(ws, stage, fresh()).seconds);
    // A new repository per repetition, so that every cold run starts from an empty remote cache.
    const server = await launchCacheServer(ws, `${registry.host}/cache-${i}`, token, join(root, `cache-server-${i}.log`), process.env.BENCH_VERBOSE ? ['--verbose'] : []);
    try {
      const remote = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token };
      const first = timedNx(ws, stage, { ...fresh(), ...remote });
      cold.push(first.seconds);
      tasks = first.run.ran.size;
      const env = { ...fresh(), ...remote };
      const second = timedNx(ws, stage, env);
      if (second.run.ran.size !== 0) throw new Error(`not everything was restored: ${[...second.run.ran].join(', ')}`);
      restored.push(second.seconds);
      local.push(timedNx(ws, stage, env).seconds);
    } catch (error) {
      console.error(server.output().split('\n').filter((l) => !/ -> 200 /.test(l)).join('\n'));
      throw error;
    } finally {
      await server.stop();
    }
  }
  console.log(`nx run-many -t stage over the catalogue (${tasks} tasks), medians of ${repetitions}:`);
  console.log(`  cold, no remote cache: ${median(coldNoRemote).toFixed(2)} s`);
  console.log(`  cold, uploading to the remote cache: ${median(cold).toFixed(2)} s (upload overhead ${(median(cold) / median(coldNoRemote)).toFixed(2)}x)`);
  console.log(`  restored from the remote cache: ${median(restored).toFixed(2)} s`);
  console.log(`  local cache (peer): ${median(local).toFixed(2)} s`);
  console.log(`  ratio restore / cold: ${(median(restored) / median(cold)).toFixed(2)}; restore / local cache: ${(median(restored) / median(local)).toFixed(2)}`);
});
