import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKSUM_FILE, checksumText } from '@nbpr/legal';
import { NbprError } from '@nbpr/model';

export const MANIFEST_HEADER = '"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"';

/**
 * The artefact's legal-info slice in Buildroot's layout, from what `<pkg>-legal-info` left
 * in the build's legal-info/: manifest.csv (header and this package's rows), the licence
 * texts, and legal-info.sha256 over the slice. Sources are not shipped: the manifest's
 * archive and site columns pin them.
 */
export async function legalSlice(buildLegalInfo: string, packages: string[], dest: string): Promise<void> {
  const manifest = join(buildLegalInfo, 'manifest.csv');
  if (!existsSync(manifest)) throw new NbprError('Buildroot wrote no legal-info manifest', { code: 'legal/missing-manifest', where: buildLegalInfo, hint: 'See the build log for the <pkg>-legal-info step.' });
  const rows = readFileSync(manifest, 'utf8')
    .split('\n')
    .filter((line) => line && line !== MANIFEST_HEADER && packages.includes(JSON.parse(`[${line}]`)[0]));
  await mkdir(join(dest, 'licenses'), { recursive: true });
  await writeFile(join(dest, 'manifest.csv'), [MANIFEST_HEADER, ...rows].join('\n') + '\n');
  for (const row of rows) {
    const [name, version] = JSON.parse(`[${row}]`) as string[];
    const licenses = join(buildLegalInfo, 'licenses', `${name}-${version}`);
    if (existsSync(licenses)) await cp(licenses, join(dest, 'licenses', `${name}-${version}`), { recursive: true });
  }
  await writeFile(join(dest, CHECKSUM_FILE), checksumText(dest));
}

