/**
 * `nx run-many -t resolve` over 200 generated packages: cold, and fully cached, against the
 * floor of the same graph with a trivial cached executor, measured in the same run.
 * Target: cached resolve / cached trivial <= 1.2.
 *
 *   node -r @swc-node/register bench/resolve.bench.ts [packages=200] [repetitions=5]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildrootPackages } from '../test/support/reference';
import { commitAll, populateWorkspace, runNx } from '../test/support/nx-workspace';
import { addTrivialPlugin } from './support/trivial-plugin';

const count = Number(process.argv[2] ?? 200);
const repetitions = Number(process.argv[3] ?? 5);

function generatePackages(ws: string): void {
  rmSync(join(ws, 'packages'), { recursive: true, force: true });
  const facts = Object.entries(buildrootPackages());
  for (let i = 0; i < count; i++) {
    const [br, f] = facts[i % facts.length];
    const name = `bench-${String(i).padStart(3, '0')}-${br}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
    const options = Object.fromEntries(
      f.options
        .filter((o) => o.type === 'bool')
        .slice(0, 5)
        .map((o) => [o.symbol.toLowerCase().replace(/^br2_package_/, '').replace(/[^a-z0-9_]/g, '_').replace(/^([^a-z])/, 'o$1'), { type: 'boolean', description: o.prompt ?? o.symbol, default: o.default?.[0] === 'y', kconfig: o.symbol }]),
    );
    const dir = join(ws, 'packages', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'nbpr.json'),
      JSON.stringify({ schemaVersion: 1, name, version: /^[0-9][A-Za-z0-9._+~-]*$/.test(f.version ?? '') ? f.version : '1.0', description: `bench copy of ${br}`, homepage: 'https://buildroot.org/', licenses: 'MIT', buildroot: { package: br }, options, targets: ['*'] }, null, 2),
    );
  }
}

function time(ws: string, target: string): number {
  const start = process.hrtime.bigint();
  const run = runNx(ws, ['run-many', '-t', target, '--parallel=2']);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(run.output);
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const ws = mkdtempSync(join(tmpdir(), 'nbpr-bench-resolve-'));
try {
  populateWorkspace(ws);
  generatePackages(ws);
  addTrivialPlugin(ws);
  commitAll(ws, 'bench packages');
  const coldResolve = time(ws, 'resolve');
  const coldTrivial = time(ws, 'trivial');
  const cachedResolve: number[] = [];
  const cachedTrivial: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    // Interleaved, so that drift on a noisy machine hits both alike.
    cachedResolve.push(time(ws, 'resolve'));
    cachedTrivial.push(time(ws, 'trivial'));
  }
  const r = median(cachedResolve);
  const t = median(cachedTrivial);
  console.log(`nx run-many over ${count} generated packages (+ the workspace's own projects), ${repetitions} cached repetitions, medians`);
  console.log(`  resolve cold:    ${coldResolve.toFixed(2)} s`);
  console.log(`  trivial cold:    ${coldTrivial.toFixed(2)} s`);
  console.log(`  resolve cached:  ${r.toFixed(2)} s   (runs: ${cachedResolve.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`  trivial cached:  ${t.toFixed(2)} s   (runs: ${cachedTrivial.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`  ratio cached resolve / cached trivial: ${(r / t).toFixed(2)} (target <= 1.2)`);
} finally {
  rmSync(ws, { recursive: true, force: true });
}
