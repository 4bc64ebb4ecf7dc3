/**
 * External-tree hashing throughput against the floor measured in the same run: Node's own
 * sha256 over the same bytes, read from the same (warm) files. Target ratio >= 0.8.
 *
 *   node -r @swc-node/register bench/tree-hash.bench.ts [smallFiles=2000] [bigFilesMB=4x32]
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashTree } from '../libs/key/src';

const smallFiles = Number(process.argv[2] ?? 2000);
const bigFiles = 4;
const bigSize = 32 << 20;

function makeTree(dir: string): number {
  let bytes = 0;
  for (let i = 0; i < smallFiles; i++) {
    const sub = join(dir, 'package', `p${i % 40}`);
    mkdirSync(sub, { recursive: true });
    const data = randomBytes(512 + ((i * 7919) % 16384));
    writeFileSync(join(sub, `f${i}.mk`), data);
    bytes += data.length;
  }
  mkdirSync(join(dir, 'dl'), { recursive: true });
  for (let i = 0; i < bigFiles; i++) {
    const data = randomBytes(bigSize);
    writeFileSync(join(dir, 'dl', `source-${i}.tar`), data);
    bytes += data.length;
  }
  return bytes;
}

/** The floor: the same files, read the same way, through one sha256. */
async function floor(dir: string): Promise<void> {
  const hash = createHash('sha256');
  const walk = async (d: string): Promise<void> => {
    for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (statSync(p).size <= 1 << 20) hash.update(await readFile(p));
      else for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    }
  };
  await walk(dir);
  hash.digest();
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'nbpr-bench-tree-'));
  try {
    const bytes = makeTree(dir);
    await floor(dir); // warm the page cache
    await hashTree(dir);
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < 5; i++) {
      base.push(await timeIt(() => floor(dir)));
      ours.push(await timeIt(() => hashTree(dir)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2];
    const mb = bytes / (1 << 20);
    console.log(`tree: ${smallFiles} small files + ${bigFiles} x ${bigSize >> 20} MiB, ${mb.toFixed(0)} MiB in all; medians of 5`);
    console.log(`  floor (read + one sha256):  ${(mb / median(base)).toFixed(0)} MiB/s`);
    console.log(`  hashTree:                   ${(mb / median(ours)).toFixed(0)} MiB/s`);
    console.log(`  ratio hashTree / floor:     ${(median(base) / median(ours)).toFixed(2)} (target >= 0.8)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
