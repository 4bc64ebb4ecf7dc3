/**
 * A source build by NBPR against a plain Buildroot build of the same package from the same
 * state, side by side: NBPR's buildFromSource (defconfig pass, one build pass with legal-info,
 * harvest, strip, fix-rpath, pack) vs `make defconfig && make <pkg>` in a fresh output dir with
 * the same defconfig, environment and BR2_EXTERNAL trees. Target: ratio <= 1.15.
 *
 * On the Buildroot and nerves_system_br test doubles by default; with NBPR_BUILDROOT_DIR and
 * NBPR_NERVES_SYSTEM_BR_DIR naming real trees (and the toolchain and sources reachable through
 * NERVES_DL_DIR / NBPR_BR2_PRIMARY_SITE) it measures real Buildroot.
 *
 *   node -r @swc-node/register bench/source-build.bench.ts [repetitions=3] [package...]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDir, buildFromSource } from '../libs/buildroot/src';
import { Catalogue, readSystem, systemIdentity } from '../libs/model/src';
import { resolvePackage, type ResolvedPackage } from '../libs/resolve/src';
import { mainlinePackage, writeJson } from '../test/support/fixtures';
import { buildrootDouble, doubleBuildEnv, exampleSystemDir, nervesSystemBrDouble } from '../test/support/buildroot-double';

const repetitions = Number(process.argv[2] ?? 3);
const names = process.argv.slice(3).length ? process.argv.slice(3) : ['nbpr-heartbeat', 'jq'];
const root = join(__dirname, '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'nbpr-bench-build-'));
  try {
    const real = Boolean(process.env.NBPR_BUILDROOT_DIR);
    const tree = process.env.NBPR_BUILDROOT_DIR ?? buildrootDouble;
    const nervesSystemBr = process.env.NBPR_NERVES_SYSTEM_BR_DIR ?? nervesSystemBrDouble;
    const env: Record<string, string | undefined> = { ...process.env, ...(real ? {} : doubleBuildEnv(scratch)), HOME: process.env.HOME ?? scratch };
    const catalogue = Catalogue.load([writeJson(join(scratch, 'packages', 'jq', 'nbpr.json'), mainlinePackage('jq', { targets: ['*'], exposeStaging: true })), join(root, 'examples', 'packages', 'nbpr-heartbeat', 'nbpr.json'), join(root, 'examples', 'packages', 'nbpr-hello', 'nbpr.json')], root);
    const system = readSystem(exampleSystemDir);
    const buildRoot = join(scratch, 'build');
    const work = buildDir(buildRoot, system);
    console.log(`source build on ${real ? `real Buildroot at ${tree}` : 'the Buildroot test double'}, ${repetitions} repetitions, alternating`);
    for (const name of names) {
      const resolved = (await resolvePackage({ catalogue, system: systemIdentity(system) }, name)) as ResolvedPackage;
      const nbpr: number[] = [];
      const make: number[] = [];
      const plain: number[] = [];
      const runNbpr = async () => {
        const r = await buildFromSource({ manifest: catalogue.get(name), system, resolved, tree, backend: { kind: 'native' }, buildRoot, nervesSystemBr, env, progress: () => undefined });
        nbpr.push(r.seconds.total);
        make.push(r.seconds.make);
      };
      // A first NBPR build writes the defconfig and the BR2_EXTERNAL copies the plain build uses, and warms the caches.
      await runNbpr();
      nbpr.length = 0;
      make.length = 0;
      for (let i = 0; i < repetitions; i++) {
        // Alternating which goes first, so that neither always runs on a machine the other just warmed.
        if (i % 2 === 0) await runNbpr();
        // The plain build: the same defconfig and trees, a fresh output dir, `make <pkg>` alone.
        const out = join(scratch, 'plain-output');
        rmSync(out, { recursive: true, force: true });
        const defconfig = join(scratch, 'plain_defconfig');
        copyFileSync(join(work, 'nbpr_defconfig'), defconfig);
        const externals = readdirSync(join(work, 'br2-external')).map((d) => join(work, 'br2-external', d)).join(':');
        const makeEnv = { ...env, BR2_DL_DIR: env.NERVES_BR_DL_DIR ?? join(env.HOME!, '.nerves', 'dl'), NERVES_DEFCONFIG_DIR: join(work, 'nerves-defconfig-dir'), TERM: 'dumb' };
        const start = process.hrtime.bigint();
        execFileSync('make', ['-C', tree, `O=${out}`, `BR2_EXTERNAL=${externals}`, `BR2_DEFCONFIG=${defconfig}`, 'defconfig'], { env: makeEnv, stdio: 'ignore' });
        execFileSync('make', ['-C', tree, `O=${out}`, ...resolved.keyDocument.build.packages], { env: makeEnv, stdio: 'ignore' });
        plain.push(Number(process.hrtime.bigint() - start) / 1e9);
        if (i % 2 === 1) await runNbpr();
        console.log(`  ${name} #${i + 1}: NBPR ${nbpr[i].toFixed(2)} s, plain ${plain[i].toFixed(2)} s`);
      }
      const n = median(nbpr);
      const p = median(plain);
      console.log(`${name}: NBPR source build ${n.toFixed(2)} s (make ${median(make).toFixed(2)} s, NBPR's own ${(n - median(make)).toFixed(2)} s); plain make defconfig + make ${name} ${p.toFixed(2)} s; ratio NBPR/plain ${(n / p).toFixed(2)} (target <= 1.15)`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
