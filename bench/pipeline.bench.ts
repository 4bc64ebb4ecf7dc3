/**
 * The whole pipeline (resolve -> conflict-check -> fetch-or-build -> licence-aggregate -> stage):
 *   1. the example firmware from the embedded registry, cold (empty store and Nx cache), through
 *      Nx and through `nbpr stage` (one process, no Nx), alternating, and their ratio; cached;
 *   2. the README's main command (`nx run-many -t stage`) cold;
 *   3. with 50 generated packages served by a local registry (Debian's docker-registry): the
 *      firmware of 50 packages cold, `nx run-many -t stage` over the whole workspace cold, and
 *      cached with the ratio to the same graph with a trivial cached executor, in the same run.
 *
 *   node -r @swc-node/register bench/pipeline.bench.ts [repetitions=3]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitAll, populateWorkspace } from '../test/support/nx-workspace';
import { launchRegistry } from '../test/support/registry';
import { addGeneratedCatalogue } from './support/generated-catalogue';
import { addTrivialPlugin } from './support/trivial-plugin';
import { median, timedNx } from './support/timed-nx';

const repetitions = Number(process.argv[2] ?? 3);
const timed = (ws: string, args: string[], env: Record<string, string>) => timedNx(ws, args, env).seconds;

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'nbpr-bench-pipeline-'));
  const registry = await launchRegistry(join(root, 'registry'));
  try {
    const ws = join(root, 'ws');
    mkdirSync(ws);
    populateWorkspace(ws);
    addTrivialPlugin(ws);
    commitAll(ws, 'bench');
    const store = () => ({ NBPR_CACHE_DIR: mkdtempSync(join(root, 'store-')), NBPR_BUILD_ROOT: join(root, 'build') });
    const env = store();
    const viaNx: number[] = [];
    const viaCli: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      viaNx.push(timed(ws, ['run', 'example-firmware:stage', '--skip-nx-cache'], store()));
      viaCli.push(timedCli(ws, ['stage', 'example-firmware'], store()));
      floor.push(timed(ws, ['run', 'example-firmware:trivial-resolve', '--skip-nx-cache'], store()));
    }
    const cached = Array.from({ length: repetitions }, () => timed(ws, ['run', 'example-firmware:stage'], env));
    console.log(`example firmware (2 packages, embedded registry), cold: nx run example-firmware:stage ${median(viaNx).toFixed(2)} s, nbpr stage example-firmware ${median(viaCli).toFixed(2)} s, ratio ${(median(viaNx) / median(viaCli)).toFixed(2)}; Nx's own floor (one no-op task of the same graph) ${median(floor).toFixed(2)} s, ${(median(floor) / median(viaCli)).toFixed(2)}x nbpr stage; cached ${median(cached).toFixed(2)} s (medians of ${repetitions})`);
    const main = timedNx(ws, ['run-many', '-t', 'stage', '--skip-nx-cache'], store());
    console.log(`README's main command (nx run-many -t stage), cold: ${main.seconds.toFixed(2)} s for ${main.run.ran.size} tasks`);

    await addGeneratedCatalogue(ws, registry.host, 50);
    commitAll(ws, 'fw50');
    const cold50 = timed(ws, ['run', 'fw50:stage', '--skip-nx-cache'], store());
    const all = timedNx(ws, ['run-many', '-t', 'stage', '--skip-nx-cache'], store());
    timed(ws, ['run-many', '-t', 'trivial'], env);
    const stageCached: number[] = [];
    const trivialCached: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      stageCached.push(timed(ws, ['run-many', '-t', 'stage'], env));
      trivialCached.push(timed(ws, ['run-many', '-t', 'trivial'], env));
    }
    console.log(`generated firmware of 50 packages from the local registry: cold ${cold50.toFixed(2)} s`);
    console.log(`nx run-many -t stage over the workspace with them, cold: ${all.seconds.toFixed(2)} s for ${all.run.ran.size} tasks`);
    console.log(`nx run-many -t stage over the workspace, cached: ${median(stageCached).toFixed(2)} s; same graph with a no-op executor: ${median(trivialCached).toFixed(2)} s; ratio ${(median(stageCached) / median(trivialCached)).toFixed(2)}`);
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** `nbpr <args>` in the workspace, timed; a failure stops the benchmark with its output. */
function timedCli(ws: string, args: string[], env: Record<string, string>): number {
  const { NODE_OPTIONS: _, ...base } = process.env;
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [join(ws, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), ...args], { cwd: ws, env: { ...base, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(result.stdout + result.stderr);
  return seconds;
}

void main();
