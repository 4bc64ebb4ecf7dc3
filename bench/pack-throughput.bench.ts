/**
 * Packing and extraction throughput of @nbpr/artefact against floors measured in the same run
 * on the same warm tree:
 *
 *   pack     packArtefact (walk, sort, ELF scan, per-file sha256, tar, gzip -6, diff id and
 *            digest in one pass, temp + rename)
 *   floor    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - | gzip -n | sha256sum
 *   extract  extractArtefact with expected digest and diff id (strict tar reader, per-file
 *            sha256, listing checked against the metadata, symlink resolution, temp + rename)
 *   floor    tar -xzf (no verification at all)
 *
 * The tree is ~200 MiB of real binaries, libraries and small data files copied from this
 * host's /usr (what a Buildroot target/ looks like), plus a legal-info slice; a second
 * scenario is 20,000 small files, where per-file costs dominate. Figures only, no assertions.
 *
 *   node -r @swc-node/register bench/pack-throughput.bench.ts [repetitions=3] [MiB=200]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { extractArtefact, packArtefact } from '../libs/artefact/src';
import type { KeyDocument } from '../libs/key/src';

const repetitions = Number(process.argv[2] ?? 3);
const targetMiB = Number(process.argv[3] ?? 200);

const keyDocument: KeyDocument = {
  nbpr: 1,
  package: { name: 'bench', version: '1.0.0' },
  build: { packages: ['bench'], kconfig: { BR2_PACKAGE_BENCH: 'y' } },
  options: {},
  system: { app: 'nerves_system_bench', version: '1.0.0', buildroot: '2026.05.1', config: 'sha256:' + '5'.repeat(64) },
  tree: null,
};

interface Scenario {
  name: string;
  build: (dir: string) => void;
}

/** Regular files under `from`, bytewise order, until `budget` bytes: a reproducible pick on one host. */
function pick(from: string, budget: number, maxFile = Infinity): string[] {
  const out: string[] = [];
  let used = 0;
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (used >= budget) return;
      const path = join(dir, name);
      const s = lstatSync(path);
      if (s.isDirectory()) walk(path);
      else if (s.isFile() && s.size > 0 && s.size <= maxFile && used + s.size <= budget * 1.05) {
        out.push(path);
        used += s.size;
      }
    }
  };
  walk(from);
  return out;
}

function legalInfo(dir: string): void {
  mkdirSync(join(dir, 'legal-info', 'licenses', 'bench-1.0.0'), { recursive: true });
  writeFileSync(join(dir, 'legal-info', 'manifest.csv'), '"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"\n"bench","1.0.0","MIT","LICENSE","","",""\n');
  writeFileSync(join(dir, 'legal-info', 'licenses', 'bench-1.0.0', 'LICENSE'), 'MIT\n');
}

const realistic: Scenario = {
  name: `~${targetMiB} MiB of this host's /usr: binaries, shared libraries, small data files`,
  build(dir) {
    const budget = targetMiB << 20;
    const sources: Array<[string, number, number]> = [
      ['/usr/lib/x86_64-linux-gnu', budget * 0.55, 64 << 20],
      ['/usr/lib/aarch64-linux-gnu', budget * 0.55, 64 << 20],
      ['/usr/bin', budget * 0.3, 64 << 20],
      ['/usr/share', budget * 0.15, 64 << 10],
    ];
    let used = 0;
    for (const [from, share, maxFile] of sources) {
      for (const file of pick(from, Math.min(share, budget - used), maxFile)) {
        const to = join(dir, 'target', 'usr', relative('/usr', file));
        mkdirSync(join(to, '..'), { recursive: true });
        copyFileSync(file, to);
        used += lstatSync(to).size;
      }
    }
    legalInfo(dir);
  },
};

const smallFiles: Scenario = {
  name: '20,000 small files (0.1-4 KiB, text-like)',
  build(dir) {
    for (let i = 0; i < 20_000; i++) {
      const sub = join(dir, 'target', 'usr', 'share', `d${i % 200}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `f${i}.txt`), `file ${i}\n`.repeat(10 + ((i * 7919) % 400)));
    }
    legalInfo(dir);
  },
};

async function seconds(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function sh(script: string): void {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`failed: ${script}`);
}

async function run(scenario: Scenario): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'nbpr-bench-pack-'));
  try {
    const src = join(work, 'src');
    mkdirSync(src);
    scenario.build(src);
    const files = Number(execFileSync('bash', ['-c', `find ${src} -type f | wc -l`], { encoding: 'utf8' }).trim());
    const bytes = Number(execFileSync('du', ['-sb', src], { encoding: 'utf8' }).split('\t')[0]);
    const blob = join(work, 'artefact.tar.gz');
    const floorPack = `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C ${src} target legal-info | gzip -n | sha256sum`;
    // Warm the page cache and both code paths.
    sh(floorPack);
    let packed = await packArtefact({ sourceDir: src, keyDocument, outFile: blob });

    const pack = { ours: [] as number[], floor: [] as number[] };
    const extract = { ours: [] as number[], floor: [] as number[] };
    for (let i = 0; i < repetitions; i++) {
      // Alternated, so that drift (thermal, other load) hits both alike.
      pack.floor.push(await seconds(() => sh(floorPack)));
      pack.ours.push(
        await seconds(async () => {
          packed = await packArtefact({ sourceDir: src, keyDocument, outFile: blob });
        }),
      );
      const a = join(work, `x-floor-${i}`);
      mkdirSync(a);
      extract.floor.push(await seconds(() => sh(`tar -xzf ${blob} -C ${a}`)));
      extract.ours.push(await seconds(() => extractArtefact(blob, join(work, `x-ours-${i}`), { expectedDigest: packed.digest, expectedDiffId: packed.diffId })));
      rmSync(a, { recursive: true, force: true });
      rmSync(join(work, `x-ours-${i}`), { recursive: true, force: true });
    }
    const mib = bytes / (1 << 20);
    const rate = (s: number) => `${(mib / s).toFixed(0).padStart(4)} MiB/s (${s.toFixed(2)} s)`;
    console.log(`\n${scenario.name}: ${files} files, ${mib.toFixed(1)} MiB -> ${(packed.size / (1 << 20)).toFixed(1)} MiB gzip; median of ${repetitions}, warm page cache`);
    console.log(`  pack     floor tar|gzip -n|sha256sum  ${rate(median(pack.floor))}`);
    console.log(`           packArtefact                  ${rate(median(pack.ours))}   time ratio ours/floor ${(median(pack.ours) / median(pack.floor)).toFixed(2)}`);
    console.log(`  extract  floor tar -xzf                ${rate(median(extract.floor))}`);
    console.log(`           extractArtefact + verify      ${rate(median(extract.ours))}   time ratio ours/floor ${(median(extract.ours) / median(extract.floor)).toFixed(2)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  const tar = execFileSync('tar', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const gzip = execFileSync('gzip', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  console.log(`pack-throughput benchmark, node ${process.version} (zlib ${process.versions.zlib}), ${tar}, ${gzip}`);
  for (const scenario of [realistic, smallFiles]) await run(scenario);
}

void main();
