import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NbprError } from '@nbpr/model';
import { CHECKSUM_FILE, checksumText } from './checksums';
import { readManifest, writeManifestText, type ManifestRow } from './manifest-csv';
import { validateSlice } from './validate-slice';

export interface LegalSlice {
  /** The NBPR package the artefact is of. */
  owner: string;
  dir: string;
}

export interface VersionSkew {
  package: string;
  versions: Array<{ version: string; from: string[] }>;
}

export interface AggregateResult {
  rows: ManifestRow[];
  added: ManifestRow[];
  skew: VersionSkew[];
}

/**
 * One Buildroot-layout legal-info/ for a firmware: the system's, plus every artefact's
 * slice. Identical (package, version) rows merge; one package at two versions is flagged.
 * Written to a temporary sibling and renamed into place.
 */
export async function aggregateLegalInfo(p: { system: string | null; slices: LegalSlice[]; out: string; title: string }): Promise<AggregateResult> {
  const sources: Array<{ from: string; dir: string; rows: ManifestRow[] }> = [];
  if (p.system) {
    if (!existsSync(join(p.system, 'manifest.csv'))) throw new NbprError("the system's legal-info has no manifest.csv", { code: 'legal/missing-manifest', where: p.system });
    sources.push({ from: 'system', dir: p.system, rows: readManifest(join(p.system, 'manifest.csv')) });
  }
  for (const slice of p.slices) sources.push({ from: slice.owner, dir: slice.dir, rows: validateSlice(slice.dir, slice.owner) });

  const merged = new Map<string, { row: ManifestRow; from: string[] }>();
  for (const source of sources) {
    for (const row of source.rows) {
      const id = `${row.PACKAGE}\0${row.VERSION}`;
      const seen = merged.get(id);
      if (seen) seen.from.push(source.from);
      else merged.set(id, { row, from: [source.from] });
    }
  }
  const byPackage = new Map<string, Array<{ version: string; from: string[] }>>();
  for (const { row, from } of merged.values()) byPackage.set(row.PACKAGE, [...(byPackage.get(row.PACKAGE) ?? []), { version: row.VERSION, from }]);
  const skew = [...byPackage].filter(([, v]) => v.length > 1).map(([pkg, versions]) => ({ package: pkg, versions }));
  const rows = [...merged.values()].map((m) => m.row);
  const added = [...merged.values()].filter((m) => !m.from.includes('system')).map((m) => m.row);

  const temp = join(dirname(p.out), `.${basename(p.out)}.${process.pid}.partial`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(join(temp, 'licenses'), { recursive: true });
  try {
    for (const source of sources) {
      if (existsSync(join(source.dir, 'licenses'))) await cp(join(source.dir, 'licenses'), join(temp, 'licenses'), { recursive: true, force: false, errorOnExist: false });
    }
    if (p.system && existsSync(join(p.system, 'host-manifest.csv'))) await writeFile(join(temp, 'host-manifest.csv'), writeManifestText(readManifest(join(p.system, 'host-manifest.csv'))));
    await writeFile(join(temp, 'manifest.csv'), writeManifestText(rows));
    await writeFile(join(temp, 'README'), readme(p.title, p.system, added, skew));
    await writeFile(join(temp, CHECKSUM_FILE), checksumText(temp));
    await rm(p.out, { recursive: true, force: true });
    await rename(temp, p.out);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return { rows, added, skew };
}

function readme(title: string, system: string | null, added: ManifestRow[], skew: VersionSkew[]): string {
  const lines = [
    `Licence information for ${title}`,
    '',
    'This directory has the layout of Buildroot\'s legal-info:',
    '',
    '  manifest.csv: every package of the target, with its licence and source',
    '  host-manifest.csv: the host packages used to build the system',
    '  licenses/: the licence texts of every package',
    '  legal-info.sha256: the checksums of every file here',
    '',
    system ? "It merges the Nerves system's legal-info with the legal-info of every NBPR artefact of the firmware." : 'It holds the legal-info of every NBPR artefact of the firmware.',
    'Sources are not included: each package\'s SOURCE ARCHIVE and SOURCE SITE columns pin them.',
    '',
    `Packages added by NBPR (${added.length}):`,
    ...added.map((r) => `  ${r.PACKAGE} ${r.VERSION}: ${r.LICENSE}`),
  ];
  if (skew.length > 0) {
    lines.push('', 'WARNING: packages present at more than one version:');
    for (const s of skew) lines.push(`  ${s.package}: ${s.versions.map((v) => `${v.version} (from ${v.from.join(', ')})`).join('; ')}`);
  }
  return lines.join('\n') + '\n';
}
