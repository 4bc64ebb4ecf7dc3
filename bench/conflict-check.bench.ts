/**
 * conflict-check over generated selections of 100 to 1,000 packages with 50 Kconfig symbols
 * each, against the example system's full .config (4,290 lines) and the 163 choice groups of
 * Buildroot 2026.05.1. Target: < 1 s at 1,000 packages; reports how time grows.
 *
 *   node -r @swc-node/register bench/conflict-check.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledChoiceGroups, detectConflicts, selectionDemands } from '../libs/conflicts/src';
import { Catalogue, readSystem, type PluginOptions } from '../libs/model/src';
import { conflictCheck } from '../libs/pipeline/src';
import { writeJson } from '../test/support/fixtures';

const root = join(__dirname, '..');
const systemDir = join(root, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0');
const SYSTEM = 'nerves_system_nbpr_example@0.1.0';

function generate(dir: string, count: number): { files: string[]; firmware: string } {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const kconfig: Record<string, boolean | number | string> = {};
    // 40 symbols of the package's own, 10 shared with others (same values: no conflict to find).
    for (let s = 0; s < 40; s++) kconfig[`BR2_PACKAGE_GEN${i}_OPT${s}`] = s % 3 === 0 ? false : s % 3 === 1 ? true : `value-${s}`;
    for (let s = 0; s < 10; s++) kconfig[`BR2_PACKAGE_SHARED_OPT${s}`] = true;
    files.push(writeJson(join(dir, 'packages', `gen${i}`, 'nbpr.json'), { schemaVersion: 1, name: `gen${i}`, version: '1.0', description: 'generated', homepage: 'https://example.org/', licenses: 'MIT', buildroot: { package: `gen${i}` }, kconfig, targets: ['*'] }));
  }
  const firmware = writeJson(join(dir, 'fw', 'nbpr.firmware.json'), { schemaVersion: 1, name: 'fw', system: SYSTEM, packages: Object.fromEntries(Array.from({ length: count }, (_, i) => [`gen${i}`, {}])) });
  return { files, firmware };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const system = readSystem(systemDir);
  const choices = bundledChoiceGroups('2026.05.1');
  const results: Array<{ n: number; detect: number; full: number }> = [];
  for (const n of [100, 200, 500, 1000]) {
    const dir = mkdtempSync(join(tmpdir(), 'nbpr-bench-conflicts-'));
    try {
      const { files, firmware } = generate(dir, n);
      const catalogue = Catalogue.load(files, dir);
      const names = catalogue.names();
      const detect: number[] = [];
      const full: number[] = [];
      for (let r = 0; r < 5; r++) {
        let start = process.hrtime.bigint();
        const { demands, clashes } = selectionDemands(catalogue, names);
        const conflicts = detectConflicts({ demands, clashes, system: { id: system.id, config: system.config }, choices });
        detect.push(Number(process.hrtime.bigint() - start) / 1e9);
        if (conflicts.length !== 0) throw new Error('unexpected conflicts');
        const options: PluginOptions = { defaultSystem: SYSTEM, systems: { [SYSTEM]: { path: systemDir } } };
        start = process.hrtime.bigint();
        await conflictCheck({ workspaceRoot: dir, file: firmware, packageFiles: files, pluginOptions: options, env: { NBPR_CACHE_DIR: join(dir, 'store') }, log: () => undefined });
        full.push(Number(process.hrtime.bigint() - start) / 1e9);
      }
      results.push({ n, detect: median(detect), full: median(full) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('conflict-check, medians of 5 (50 symbols per package, full system .config, 163 choice groups):');
  for (const r of results) console.log(`  ${String(r.n).padStart(5)} packages: detection ${(r.detect * 1000).toFixed(1)} ms; whole stage (load + validate ${r.n} nbpr.json, system, resolve keys, facts lookup) ${(r.full * 1000).toFixed(0)} ms`);
  const first = results[0];
  const last = results[results.length - 1];
  console.log(`  growth 100 -> 1,000 packages: detection x${(last.detect / first.detect).toFixed(1)}, whole stage x${(last.full / first.full).toFixed(1)} (linear would be x10); target < 1 s at 1,000: detection ${last.detect < 1 ? 'met' : 'missed'}, whole stage ${last.full < 1 ? 'met' : 'missed'}`);
}

void main();
