/**
 * NBPR's own overhead on a source build: everything but the make calls (defconfig
 * composition, symbol check, harvest, strip, legal-info slice, build facts, packing),
 * measured on the Buildroot test double. Target: < 2 s per package plus < 5% of the build.
 *
 *   node -r @swc-node/register bench/source-build.bench.ts [repetitions=5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFromSource } from '../libs/buildroot/src';
import { Catalogue, readSystem, systemIdentity } from '../libs/model/src';
import { resolvePackage, type ResolvedPackage } from '../libs/resolve/src';
import { mainlinePackage, writeJson } from '../test/support/fixtures';

const repetitions = Number(process.argv[2] ?? 5);
const root = join(__dirname, '..');

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'nbpr-bench-build-'));
  try {
    const catalogue = Catalogue.load([writeJson(join(scratch, 'packages', 'jq', 'nbpr.json'), mainlinePackage('jq', { targets: ['*'], exposeStaging: true })), join(root, 'examples', 'packages', 'nbpr-heartbeat', 'nbpr.json')], root);
    const system = readSystem(join(root, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0'));
    for (const name of ['nbpr-heartbeat', 'jq']) {
      const resolved = (await resolvePackage({ catalogue, system: systemIdentity(system) }, name)) as ResolvedPackage;
      const overhead: number[] = [];
      const make: number[] = [];
      for (let i = 0; i < repetitions; i++) {
        const r = await buildFromSource({ manifest: catalogue.get(name), system, resolved, tree: join(root, 'test', 'fixtures', 'buildroot-double'), backend: { kind: 'native' }, buildRoot: join(scratch, 'build'), progress: () => undefined });
        overhead.push(r.seconds.total - r.seconds.make);
        make.push(r.seconds.make);
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      console.log(`${name}: NBPR overhead ${median(overhead).toFixed(3)} s per build (median of ${repetitions}), make calls on the double ${median(make).toFixed(3)} s`);
      console.log(`  target: < 2 s fixed (measured ${median(overhead).toFixed(3)} s); relative to the double's near-instant make calls it is ${((median(overhead) / median(make)) * 100).toFixed(0)}%, against a real Buildroot build it is the same fixed cost`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
