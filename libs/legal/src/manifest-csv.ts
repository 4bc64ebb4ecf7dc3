import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { NbprError } from '@nbpr/model';

export const MANIFEST_COLUMNS = ['PACKAGE', 'VERSION', 'LICENSE', 'LICENSE FILES', 'SOURCE ARCHIVE', 'SOURCE SITE', 'DEPENDENCIES WITH LICENSES'] as const;
export type ManifestRow = Record<(typeof MANIFEST_COLUMNS)[number], string>;

/** A Buildroot legal-info manifest.csv, checked to have Buildroot's header. */
export function readManifest(file: string): ManifestRow[] {
  let records: string[][];
  try {
    records = parse(readFileSync(file, 'utf8'), { relax_column_count: false, skip_empty_lines: true });
  } catch (error) {
    throw new NbprError(`not a valid CSV file: ${(error as Error).message}`, { code: 'legal/invalid-manifest', where: file });
  }
  const header = records.shift() ?? [];
  if (header.join(',') !== MANIFEST_COLUMNS.join(',')) {
    throw new NbprError(`not a Buildroot legal-info manifest: header is ${JSON.stringify(header.join(','))}`, { code: 'legal/invalid-manifest', where: file, hint: `Buildroot writes ${MANIFEST_COLUMNS.map((c) => `"${c}"`).join(',')}.` });
  }
  return records.map((r) => Object.fromEntries(MANIFEST_COLUMNS.map((c, i) => [c, r[i] ?? ''])) as ManifestRow);
}

/** manifest.csv as Buildroot writes it: every field quoted, quotes doubled. */
export function writeManifestText(rows: ManifestRow[]): string {
  return stringify([MANIFEST_COLUMNS as unknown as string[], ...rows.map((r) => MANIFEST_COLUMNS.map((c) => r[c]))], { quoted: true, quoted_empty: true, record_delimiter: '\n' });
}
