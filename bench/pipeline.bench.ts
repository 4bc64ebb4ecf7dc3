/**
 * The whole pipeline (resolve -> conflict-check -> fetch-or-build -> licence-aggregate -> stage):
 *   1. the example firmware from the embedded registry: cold (empty store and Nx cache) and cached;
 *   2. a generated firmware of 50 packages served by a local registry (Debian's docker-registry):
 *      cold and cached, and the ratio of the cached run to the same graph with a trivial cached
 *      executor, measured in the same run.
 *
 *   node -r @swc-node/register bench/pipeline.bench.ts [repetitions=3]
 */
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
    const cold = timed(ws, ['run', 'example-firmware:stage', '--skip-nx-cache'], store());
    const cached = Array.from({ length: repetitions }, () => timed(ws, ['run', 'example-firmware:stage'], env));
    console.log(`example firmware (2 packages, embedded registry): cold ${cold.toFixed(2)} s, cached ${median(cached).toFixed(2)} s (median of ${repetitions})`);

    await addGeneratedCatalogue(ws, registry.host, 50);
    commitAll(ws, 'fw50');
    const cold50 = timed(ws, ['run', 'fw50:stage', '--skip-nx-cache'], store());
    timed(ws, ['run-many', '-t', 'trivial'], env);
    const stageCached: number[] = [];
    const trivialCached: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      stageCached.push(timed(ws, ['run-many', '-t', 'stage'], env));
      trivialCached.push(timed(ws, ['run-many', '-t', 'trivial'], env));
    }
    console.log(`generated firmware of 50 packages from the local registry: cold ${cold50.toFixed(2)} s`);
    console.log(`nx run-many -t stage over the workspace (63 projects, 5 stages each), cached: ${median(stageCached).toFixed(2)} s; same graph, trivial cached executor: ${median(trivialCached).toFixed(2)} s; ratio ${(median(stageCached) / median(trivialCached)).toFixed(2)}`);
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
