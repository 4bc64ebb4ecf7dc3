/**
 * The whole pipeline (resolve -> conflict-check -> fetch-or-build -> licence-aggregate -> stage):
 *   1. the example firmware from the embedded registry: cold (empty store and Nx cache) and cached;
 *   2. a generated firmware of 50 packages served by a local registry (Debian's docker-registry):
 *      cold and cached, and the ratio of the cached run to the same graph with a trivial cached
 *      executor, measured in the same run.
 *
 *   node -r @swc-node/register bench/pipeline.bench.ts [repetitions=3]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packArtefact } from '../libs/artefact/src';
import { checksumText, writeManifestText } from '../libs/legal/src';
import { Catalogue, readSystem, systemIdentity } from '../libs/model/src';
import { resolvePackage, type ResolvedPackage } from '../libs/resolve/src';
import { publishArtefact, siteFor } from '../libs/sites/src';
import { commitAll, populateWorkspace, runNx } from '../test/support/nx-workspace';
import { launchRegistry } from '../test/support/registry';
import { addTrivialPlugin } from './support/trivial-plugin';

const repetitions = Number(process.argv[2] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(ws: string, args: string[], env: Record<string, string>): number {
  const start = process.hrtime.bigint();
  const run = runNx(ws, args, env);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(run.output);
  return seconds;
}

async function generatedFirmware(ws: string, registryHost: string, count: number): Promise<void> {
  const system = readSystem(join(ws, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0'));
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `gen-${String(i).padStart(2, '0')}`;
    const dir = join(ws, 'packages', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'nbpr.json'), JSON.stringify({ schemaVersion: 1, name, version: '1.0.0', description: 'generated', homepage: 'https://example.org/', licenses: 'MIT', buildroot: { package: name }, targets: ['*'] }, null, 2));
    files.push(join(dir, 'nbpr.json'));
  }
  mkdirSync(join(ws, 'fw50'));
  writeFileSync(join(ws, 'fw50', 'nbpr.firmware.json'), JSON.stringify({ schemaVersion: 1, name: 'fw50', system: system.id, packages: Object.fromEntries(files.map((_, i) => [`gen-${String(i).padStart(2, '0')}`, {}])) }, null, 2));
  const catalogue = Catalogue.load(files, ws);
  for (const name of catalogue.names()) {
    const resolved = (await resolvePackage({ catalogue, system: systemIdentity(system) }, name)) as ResolvedPackage;
    const src = mkdtempSync(join(tmpdir(), 'nbpr-bench-src-'));
    mkdirSync(join(src, 'target', 'usr', 'bin'), { recursive: true });
    writeFileSync(join(src, 'target', 'usr', 'bin', name), `#!/bin/sh\necho ${name}\n`);
    const legal = join(src, 'legal-info');
    mkdirSync(join(legal, 'licenses', `${name}-1.0.0`), { recursive: true });
    writeFileSync(join(legal, 'licenses', `${name}-1.0.0`, 'LICENSE'), 'MIT\n');
    writeFileSync(join(legal, 'manifest.csv'), writeManifestText([{ PACKAGE: name, VERSION: '1.0.0', LICENSE: 'MIT', 'LICENSE FILES': 'LICENSE', 'SOURCE ARCHIVE': `${name}-1.0.0.tar.gz`, 'SOURCE SITE': 'https://example.org', 'DEPENDENCIES WITH LICENSES': '' }]));
    writeFileSync(join(legal, 'legal-info.sha256'), checksumText(legal));
    const file = join(src, 'a.tar.gz');
    const packed = await packArtefact({ sourceDir: src, keyDocument: resolved.keyDocument, outFile: file });
    await publishArtefact(siteFor(`${registryHost}/bench`, ws).repository(name), resolved.tag, packed, file);
    rmSync(src, { recursive: true, force: true });
  }
  const nxJsonPath = join(ws, 'nx.json');
  const nxJson = JSON.parse(readFileSync(nxJsonPath, 'utf8'));
  nxJson.plugins[0].options.sites = [...nxJson.plugins[0].options.sites, `${registryHost}/bench`];
  writeFileSync(nxJsonPath, JSON.stringify(nxJson, null, 2));
}

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

    await generatedFirmware(ws, registry.host, 50);
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
