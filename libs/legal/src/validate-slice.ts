import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NbprError } from '@nbpr/model';
import { CHECKSUM_FILE, checksumText } from './checksums';
import { readManifest, type ManifestRow } from './manifest-csv';

/**
 * An artefact's legal-info slice, checked before it is merged: Buildroot's manifest header,
 * the licence files each row names, and a legal-info.sha256 that matches the files.
 */
export function validateSlice(dir: string, owner: string): ManifestRow[] {
  const where = `${owner}: ${dir}`;
  if (!existsSync(join(dir, 'manifest.csv'))) throw new NbprError('the artefact has no legal-info/manifest.csv', { code: 'legal/missing-manifest', where, hint: 'Its publisher must repack it with legal-info (a source build writes it).' });
  const rows = readManifest(join(dir, 'manifest.csv'));
  for (const row of rows) {
    for (const file of row['LICENSE FILES'].split(/\s+/).filter(Boolean)) {
      if (!existsSync(join(dir, 'licenses', `${row.PACKAGE}-${row.VERSION}`, file))) {
        throw new NbprError(`licence file ${file} of ${row.PACKAGE} ${row.VERSION} is missing`, { code: 'legal/missing-licence-file', where: join(dir, 'licenses', `${row.PACKAGE}-${row.VERSION}`) });
      }
    }
  }
  const checksums = join(dir, CHECKSUM_FILE);
  if (!existsSync(checksums) || readFileSync(checksums, 'utf8') !== checksumText(dir)) {
    throw new NbprError(`${CHECKSUM_FILE} does not match the slice's files`, { code: 'legal/checksum-mismatch', where, hint: 'The slice was altered after packing; fetch the artefact again.' });
  }
  return rows;
}
