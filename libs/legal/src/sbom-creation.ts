/** Who made an SBOM, and when: said the same in the SPDX and the CycloneDX document. */
export const SBOM_TOOL = { name: 'nbpr', version: '0.1.0' };

/** The creation time in whole seconds, UTC: SPDX 2.3's pattern allows no fraction, and both documents say it alike. */
export function sbomTimestamp(created: Date): string {
  return created.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
