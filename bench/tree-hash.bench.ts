/**
 * External-tree hashing throughput against a floor measured in the same run on the same warm
 * files: the bytes of every file (list gathered beforehand, outside the timing), read with
 * synchronous calls into one reused buffer, fed through one Node crypto sha256. That is the
 * plain cost of reading and hashing the bytes; hashTree also walks the tree, hashes each file
 * separately, reads modes and links, sorts, and yields to the event loop. Target:
 * hashTree / floor >= 0.8 on the realistic tree. Figures only, no assertions on time.
 *
 *   node -r @swc-node/register bench/tree-hash.bench.ts [repetitions=7]
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashTree } from '../libs/key/src';

const repetitions = Number(process.argv[2] ?? 7);

/** Deterministic xorshift filler: cheap to make, and not one repeated byte. */
function filler(size: number, seed: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeInt32LE(x | 0, i);
  }
  data.fill(7, size - (size % 4));
  return data;
}

interface Scenario {
  name: string;
  /** What the ratio is judged against, printed next to it. */
  note: string;
  build: (dir: string) => void;
}

/** A vendored tree with sources: many small text-sized files, some mid-size, a few multi-MB tarballs. */
const realistic: Scenario = {
  name: '2,000 small files (0.1-16 KiB) + 40 x 256 KiB + 6 x 32 MiB + 20 symlinks',
  note: 'target >= 0.80',
  build(dir) {
    for (let i = 0; i < 2000; i++) {
      const sub = join(dir, 'package', `pkg${i % 50}`, i % 3 === 0 ? 'src' : '');
      mkdirSync(sub, { recursive: true });
      const file = join(sub, `file${i}.${['mk', 'c', 'h', 'patch', 'in'][i % 5]}`);
      writeFileSync(file, filler(100 + ((i * 7919) % 16284), i));
      if (i % 100 === 0) chmodSync(file, 0o755);
    }
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, 'package', `pkg${i}`, `firmware-${i}.bin`), filler(256 << 10, 10_000 + i));
    mkdirSync(join(dir, 'dl'));
    for (let i = 0; i < 6; i++) writeFileSync(join(dir, 'dl', `source-${i}.tar`), filler(32 << 20, 20_000 + i));
    for (let i = 0; i < 20; i++) symlinkSync(`file${i * 50}.c`, join(dir, 'package', `pkg${i}`, `link${i}`));
  },
};

/** Where per-file costs dominate: beyond the target, to show what many tiny files cost. */
const smallOnly: Scenario = {
  name: '10,000 small files (0.1-8 KiB)',
  note: 'stress case: per-file open, stat and digest dominate',
  build(dir) {
    for (let i = 0; i < 10_000; i++) {
      const sub = join(dir, `d${i % 100}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `f${i}`), filler(100 + ((i * 7919) % 8092), i));
    }
  },
};

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const floorBuffer = Buffer.allocUnsafe(1 << 20);

/** The floor: the same bytes through one sha256, read as directly as Node allows. */
function floor(files: string[]): void {
  const hash = createHash('sha256');
  for (const file of files) {
    const fd = openSync(file, 'r');
    try {
      for (let n; (n = readSync(fd, floorBuffer, 0, floorBuffer.length, null)) > 0; ) hash.update(floorBuffer.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  hash.digest();
}

async function seconds(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function run(scenario: Scenario): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nbpr-bench-tree-'));
  try {
    scenario.build(dir);
    const files = listFiles(dir);
    const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
    // Warm the page cache (and both code paths) before timing.
    floor(files);
    await hashTree(dir);
    const base: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      // Alternated, so that drift (thermal, other load) hits both alike.
      base.push(await seconds(() => floor(files)));
      ours.push(await seconds(() => hashTree(dir)));
    }
    const mib = bytes / (1 << 20);
    const rate = (s: number) => `${(mib / s).toFixed(0).padStart(5)} MiB/s`;
    console.log(`\n${scenario.name}: ${files.length} files, ${mib.toFixed(1)} MiB; ${repetitions} repetitions, warm page cache`);
    console.log(`  floor (sync reads + one sha256)   median ${rate(median(base))}   best ${rate(Math.min(...base))}`);
    console.log(`  hashTree                          median ${rate(median(ours))}   best ${rate(Math.min(...ours))}`);
    console.log(`  ratio hashTree / floor            median ${(median(base) / median(ours)).toFixed(2).padStart(5)}         best ${(Math.min(...base) / Math.min(...ours)).toFixed(2).padStart(5)}   (${scenario.note})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`tree-hash benchmark, node ${process.version}`);
  for (const scenario of [realistic, smallOnly]) await run(scenario);
}

void main();
