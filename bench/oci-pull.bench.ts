/**
 * Pull + verify + extract of one large artefact from a local registry (Debian's
 * docker-registry), against two references measured in the same run:
 *   floor:  curl URL | tee >(sha256sum) | tar -xz   (the same blob, no verification logic)
 *   skopeo: skopeo copy docker://... oci:DIR, then tar -xzf of the layer
 * Targets: <= 1.3x the floor, ahead of skopeo; peak RSS flat in artefact size (< 150 MB).
 * Then 50 small artefacts fetched for one firmware: concurrent (as fetch-or-build does) vs serial.
 * Every artefact is signed with provenance (as publish does): each fetch is timed with the
 * trust policy off and with require (signature and provenance verified before the layer),
 * and the overhead of verification is printed as their ratio.
 *
 *   node -r @swc-node/register bench/oci-pull.bench.ts [sizesMB=20,200] [repetitions=3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, packArtefact } from '../libs/artefact/src';
import { artefactTag, cacheKey } from '../libs/key/src';
import { fetchSelection, publishArtefact, siteFor } from '../libs/sites/src';
import { attestArtefact, publishSigner, trustPolicy, TRUST_NOTHING_CHECKED } from '../libs/trust/src';
import type { KeyDocument } from '../libs/key/src';
import { helloKeyDocument, packedHello } from '../test/support/artefacts';
import { testKeyPair } from '../test/support/keys';
import { launchRegistry } from '../test/support/registry';

const sizes = (process.argv[2] ?? '20,200').split(',').map(Number);
const repetitions = Number(process.argv[3] ?? 3);
const root = mkdtempSync(join(tmpdir(), 'nbpr-bench-pull-'));
const benchKey = testKeyPair(root, 'bench');
const signer = publishSigner(TRUST_NOTHING_CHECKED, root, { NBPR_SIGNING_KEY: benchKey.privatePem }).signer!;
const requireBenchKey = trustPolicy({ keys: [benchKey.publicFile] }, root);

/** Publishes and signs, as nbpr publish does. */
async function publishSigned(name: string, tag: string, packed: { metadata: { key: string; keyDocument: KeyDocument }; diffId: string; digest: string; size: number }, file: string, host: string) {
  const site = siteFor(`${host}/bench`, root);
  const { manifestDigest } = await publishArtefact(site.repository(name), tag, packed as never, file);
  await attestArtefact(site.repository(name), { identity: site.identity(name), manifestDigest, tag, key: packed.metadata.key, keyDocument: packed.metadata.keyDocument, obtainedFrom: 'source build' }, signer);
}

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Our pull in a child process (started as the nbpr CLI starts), so that its peak RSS is its own. */
function nbprPull(registryHost: string, wanted: { name: string; key: string; tag: string }, storeDir: string, verify: boolean): { wall: number; rssMB: number } {
  const script = `
    const { fetchArtefact, siteFor } = require('./libs/sites/src');
    const { openStore } = require('./libs/artefact/src');
    const { trustPolicy, TRUST_NOTHING_CHECKED } = require('./libs/trust/src');
    const trust = ${verify} ? trustPolicy({ keys: [${JSON.stringify(benchKey.publicFile)}] }, '.') : TRUST_NOTHING_CHECKED;
    fetchArtefact(${JSON.stringify(wanted)}, [siteFor('${registryHost}/bench', '.')], openStore(), trust).then((o) => {
      if (o.status !== 'hit') { console.error(JSON.stringify(o)); process.exit(1); }
      console.log(JSON.stringify({ rss: process.resourceUsage().maxRSS }));
    });`;
  let out = '';
  const wall = seconds(() => {
    const r = spawnSync(process.execPath, ['-r', './tools/register-typescript.js', '-e', script], { cwd: join(__dirname, '..'), env: { ...process.env, NBPR_CACHE_DIR: storeDir }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    out = r.stdout;
  });
  return { wall, rssMB: JSON.parse(out.trim().split('\n').pop()!).rss / 1024 };
}

async function main() {
  const registry = await launchRegistry(join(root, 'registry'));
  try {
    for (const sizeMB of sizes) {
      const src = join(root, `src-${sizeMB}`);
      mkdirSync(join(src, 'target', 'usr', 'share', 'data'), { recursive: true });
      mkdirSync(join(src, 'legal-info'), { recursive: true });
      writeFileSync(join(src, 'legal-info', 'manifest.csv'), '"PACKAGE","VERSION"\n');
      for (let i = 0; i < sizeMB / 4; i++) writeFileSync(join(src, 'target', 'usr', 'share', 'data', `part-${i}.bin`), randomBytes(4 << 20));
      const keyDocument = { ...helloKeyDocument(`size-${sizeMB}`), package: { name: 'big', version: '1.0.0' } };
      const key = cacheKey(keyDocument);
      const tag = artefactTag({ version: '1.0.0', systemApp: keyDocument.system.app, systemVersion: keyDocument.system.version, key });
      const file = join(root, `big-${sizeMB}.tar.gz`);
      const packed = await packArtefact({ sourceDir: src, keyDocument, outFile: file });
      await publishSigned('big', tag, packed, file, registry.host);
      const url = `${registry.url}/v2/bench/big/blobs/${packed.digest}`;
      const ours: number[] = [];
      const verified: number[] = [];
      const rss: number[] = [];
      const floor: number[] = [];
      const skopeo: number[] = [];
      for (let r = 0; r < repetitions; r++) {
        const storeDir = join(root, `store-${sizeMB}-${r}`);
        const pull = nbprPull(registry.host, { name: 'big', key, tag }, storeDir, false);
        ours.push(pull.wall);
        rss.push(pull.rssMB);
        rmSync(storeDir, { recursive: true, force: true });
        verified.push(nbprPull(registry.host, { name: 'big', key, tag }, storeDir, true).wall);
        rmSync(storeDir, { recursive: true, force: true });
        const out = join(root, `floor-${r}`);
        mkdirSync(out);
        floor.push(seconds(() => execFileSync('bash', ['-c', `curl -sf '${url}' | tee >(sha256sum > /dev/null) | tar -xz -C '${out}'`])));
        rmSync(out, { recursive: true, force: true });
        const layout = join(root, `skopeo-${r}`);
        skopeo.push(
          seconds(() => {
            execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${registry.host}/bench/big:${tag}`, `oci:${layout}:x`], { stdio: 'pipe' });
            mkdirSync(join(layout, 'x'));
            execFileSync('tar', ['-xzf', join(layout, 'blobs', 'sha256', packed.digest.slice(7)), '-C', join(layout, 'x')]);
          }),
        );
        rmSync(layout, { recursive: true, force: true });
      }
      const mb = packed.size / (1 << 20);
      console.log(`${sizeMB} MB artefact (blob ${mb.toFixed(0)} MiB), medians of ${repetitions}:`);
      console.log(`  nbpr fetch (pull+verify+extract): ${median(ours).toFixed(2)} s  ${(mb / median(ours)).toFixed(0)} MiB/s  peak RSS ${median(rss).toFixed(0)} MB (process total, Node included)`);
      console.log(`  nbpr fetch, trust policy require: ${median(verified).toFixed(2)} s  (verification overhead ${(median(verified) / median(ours)).toFixed(3)}x)`);
      console.log(`  floor curl|tee sha256|tar -xz:    ${median(floor).toFixed(2)} s  ${(mb / median(floor)).toFixed(0)} MiB/s`);
      console.log(`  skopeo copy + tar -xzf:           ${median(skopeo).toFixed(2)} s`);
      console.log(`  ratio nbpr/floor ${(median(ours) / median(floor)).toFixed(2)} (target <= 1.3), nbpr/skopeo ${(median(ours) / median(skopeo)).toFixed(2)} (target < 1)`);
      rmSync(src, { recursive: true, force: true });
      rmSync(file, { force: true });
    }

    // 50 small artefacts for one firmware.
    const packages = [];
    for (let i = 0; i < 50; i++) {
      const doc = { ...helloKeyDocument(`pkg-${i}`), package: { name: `small-${i}`, version: '1.0.0' } };
      const p = await packedHello(root, `echo ${i}`, '', doc);
      await publishSigned(`small-${i}`, p.tag, p, p.file, registry.host);
      packages.push({ status: 'resolved' as const, name: `small-${i}`, version: '1.0.0', key: p.key, tag: p.tag });
    }
    const selection = { system: { id: 'bench@1' }, packages };
    const timeFetch = async (concurrency: number, trust = TRUST_NOTHING_CHECKED) => {
      const storeDir = join(root, `store-small-${concurrency}-${Math.random()}`);
      const start = process.hrtime.bigint();
      await fetchSelection(selection, [siteFor(`${registry.host}/bench`, root)], openStore(undefined, { NBPR_CACHE_DIR: storeDir }), () => undefined, { concurrency, trust });
      const s = Number(process.hrtime.bigint() - start) / 1e9;
      if (readdirSync(join(storeDir, 'trees')).filter((d) => !d.endsWith('.json')).length !== 50) throw new Error('not all fetched');
      rmSync(storeDir, { recursive: true, force: true });
      return s;
    };
    const serial: number[] = [];
    const concurrent: number[] = [];
    const concurrentVerified: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      serial.push(await timeFetch(1));
      concurrent.push(await timeFetch(8));
      concurrentVerified.push(await timeFetch(8, requireBenchKey));
    }
    console.log(`50 small artefacts for one firmware, medians of ${repetitions}: serial ${median(serial).toFixed(2)} s, concurrency 8 ${median(concurrent).toFixed(2)} s, speed-up ${(median(serial) / median(concurrent)).toFixed(2)}x`);
    console.log(`  concurrency 8 with the trust policy require: ${median(concurrentVerified).toFixed(2)} s (verification overhead ${(median(concurrentVerified) / median(concurrent)).toFixed(2)}x: per artefact, two more manifests and two small blobs, read at once)`);
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
