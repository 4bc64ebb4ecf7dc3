import { mapBuildrootLicense, type MappedLicense } from './license-map';
import type { SbomArtefact } from './sbom';

/**
 * What both SBOMs say of an artefact's own legal-info row: Buildroot's licence mapped to SPDX
 * and where its source was downloaded from (only a fetchable URL: Buildroot also records
 * local and VCS sites, which point nowhere for a reader of the SBOM).
 */
export function artefactLegal(a: SbomArtefact): { license?: MappedLicense; download?: string } {
  const row = a.rows.find((r) => r.PACKAGE === a.name) ?? a.rows[0];
  if (!row) return {};
  const site = row['SOURCE SITE'];
  return {
    license: mapBuildrootLicense(row.LICENSE),
    ...(site && /^(https?|ftp):\/\//.test(site) ? { download: `${site.replace(/\/$/, '')}/${row['SOURCE ARCHIVE']}` } : {}),
  };
}
