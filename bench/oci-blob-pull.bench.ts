/**
 * Blob pull + sha256 verification with @nbpr/oci from a local registry (Debian's
 * docker-registry), against the floor measured in the same run on the same blob:
 *   floor: curl -s URL | tee >(sha256sum) > file
 * Ours runs in a child process so that its peak RSS is its own; the figure reported next to
 * it is a child that only loads the library, so that growth with blob size shows. The pull
 * time is measured inside the child (Node start-up excluded); the child's wall time is shown
 * too. (bench/oci-pull.bench.ts measures the whole artefact fetch, extraction included.)
 *
 *   node -r @swc-node/register bench/oci-blob-pull.bench.ts [sizesMB=20,200] [repetitions=3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryRepository } from '../libs/oci/src';
import { launchRegistry } from '../test/support/registry';

const sizes = (process.argv[2] ?? '20,200').split(',').map(Number);
const repetitions = Number(process.argv[3] ?? 3);
const root = mkdtempSync(join(tmpdir(), 'nbpr-bench-blob-'));
const repoRoot = join(__dirname, '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A blob of random bytes written in 4 MiB pieces (never whole in memory), and its digest. */
function makeBlob(file: string, sizeMB: number): { digest: string; size: number } {
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  for (let i = 0; i < sizeMB / 4; i++) {
    const piece = randomBytes(4 << 20);
    hash.update(piece);
    writeSync(fd, piece);
  }
  closeSync(fd);
  return { digest: `sha256:${hash.digest('hex')}`, size: sizeMB << 20 };
}

interface ChildResult {
  seconds: number;
  wall: number;
  rssMB: number;
}

function child(script: string): ChildResult {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', './tools/nbpr-cli/bin/register.js', '-e', script], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; rss: number };
  return { seconds: out.seconds, wall, rssMB: out.rss / 1024 };
}

function ourPull(host: string, blob: { digest: string; size: number }, file: string): ChildResult {
  return child(`
    const { RegistryRepository } = require('./libs/oci/src');
    const repo = new RegistryRepository(${JSON.stringify(host)}, 'bench/blob');
    const start = process.hrtime.bigint();
    repo.fetchBlob(${JSON.stringify(blob)}, ${JSON.stringify(file)}).then(() => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(JSON.stringify({ seconds, rss: process.resourceUsage().maxRSS }));
    }, (e) => { console.error(e); process.exit(1); });`);
}

function baseline(): ChildResult {
  return child(`require('./libs/oci/src'); console.log(JSON.stringify({ seconds: 0, rss: process.resourceUsage().maxRSS }));`);
}

function floor(url: string, file: string): number {
  const start = process.hrtime.bigint();
  execFileSync('bash', ['-c', `set -o pipefail; curl -sf '${url}' | tee >(sha256sum > /dev/null) > '${file}'`]);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main() {
  const registry = await launchRegistry(join(root, 'registry'));
  try {
    const repo = new RegistryRepository(registry.host, 'bench/blob');
    const base = baseline();
    console.log(`child that only loads @nbpr/oci: peak RSS ${base.rssMB.toFixed(0)} MB`);
    for (const sizeMB of sizes) {
      const source = join(root, `src-${sizeMB}`);
      const blob = makeBlob(source, sizeMB);
      const pushStart = process.hrtime.bigint();
      await repo.pushBlob({ file: source }, blob.digest, blob.size);
      const pushSeconds = Number(process.hrtime.bigint() - pushStart) / 1e9;
      const url = `${registry.url}/v2/bench/blob/blobs/${blob.digest}`;
      const ours: ChildResult[] = [];
      const floors: number[] = [];
      for (let r = 0; r < repetitions; r++) {
        const file = join(root, `out-${sizeMB}-${r}`);
        ours.push(ourPull(registry.host, blob, file));
        rmSync(file, { force: true });
        floors.push(floor(url, file));
        rmSync(file, { force: true });
      }
      const t = median(ours.map((o) => o.seconds));
      const f = median(floors);
      console.log(`${sizeMB} MiB blob, medians of ${repetitions} (push took ${pushSeconds.toFixed(2)} s, ${(sizeMB / pushSeconds).toFixed(0)} MiB/s):`);
      console.log(`  nbpr fetchBlob (stream, sha256, fsync, rename): ${t.toFixed(3)} s  ${(sizeMB / t).toFixed(0)} MiB/s  (child wall ${median(ours.map((o) => o.wall)).toFixed(2)} s)  peak RSS ${median(ours.map((o) => o.rssMB)).toFixed(0)} MB`);
      console.log(`  floor curl | tee >(sha256sum) > file:          ${f.toFixed(3)} s  ${(sizeMB / f).toFixed(0)} MiB/s`);
      console.log(`  ratio nbpr/floor ${(t / f).toFixed(2)}`);
      rmSync(source, { force: true });
    }
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
