/**
 * licence-aggregate over 100 artefact slices (3 Buildroot packages each, some shared between
 * slices) plus the example system's legal-info, and the SPDX SBOM of the 100 artefacts.
 *
 *   node -r @swc-node/register bench/licence-aggregate.bench.ts [slices=100]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateLegalInfo, checksumText, spdxSbom, writeManifestText, type ManifestRow } from '../libs/legal/src';

const count = Number(process.argv[2] ?? 100);
const systemLegal = join(__dirname, '..', 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0', 'legal-info');

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'nbpr-bench-legal-'));
  try {
    const slices = [];
    const artefacts = [];
    for (let i = 0; i < count; i++) {
      const slice = join(dir, `slice-${i}`);
      const rows: ManifestRow[] = [`pkg${i}`, `lib${i % 20}`, 'zlib'].map((name) => ({ PACKAGE: name, VERSION: name === 'zlib' ? '1.3.1' : '1.0', LICENSE: 'MIT (code), GPL-2.0+ (tools)', 'LICENSE FILES': 'COPYING', 'SOURCE ARCHIVE': `${name}.tar.gz`, 'SOURCE SITE': 'https://example.org', 'DEPENDENCIES WITH LICENSES': '' }));
      for (const r of rows) {
        mkdirSync(join(slice, 'licenses', `${r.PACKAGE}-${r.VERSION}`), { recursive: true });
        writeFileSync(join(slice, 'licenses', `${r.PACKAGE}-${r.VERSION}`, 'COPYING'), 'licence text\n'.repeat(200));
      }
      writeFileSync(join(slice, 'manifest.csv'), writeManifestText(rows));
      writeFileSync(join(slice, 'legal-info.sha256'), checksumText(slice));
      slices.push({ owner: `pkg${i}`, dir: slice });
      artefacts.push({ name: `pkg${i}`, version: '1.0', key: createHash('sha256').update(String(i)).digest('hex'), diffId: `sha256:${'0'.repeat(64)}`, rows, files: Array.from({ length: 10 }, (_, f) => ({ path: `target/usr/bin/tool${f}`, sha256: 'a'.repeat(64), sha1: 'b'.repeat(40) })) });
    }
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const start = process.hrtime.bigint();
      const result = await aggregateLegalInfo({ system: systemLegal, slices, out: join(dir, `out-${r}`), title: 'bench' });
      JSON.stringify(spdxSbom({ firmware: 'bench', artefacts, created: new Date(0) }));
      times.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (result.added.length !== count + 20) throw new Error(`unexpected rows: ${result.added.length}`);
    }
    times.sort((a, b) => a - b);
    console.log(`licence-aggregate of ${count} slices (+ system legal-info) and the SBOM: median ${(times[2] * 1000).toFixed(0)} ms (runs ${times.map((t) => (t * 1000).toFixed(0)).join(', ')} ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
