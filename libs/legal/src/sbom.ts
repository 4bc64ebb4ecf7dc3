import { createHash } from 'node:crypto';
import { canonicalJson } from '@nbpr/key';
import { artefactLegal } from './artefact-legal';
import type { ManifestRow } from './manifest-csv';
import { SBOM_TOOL, sbomTimestamp } from './sbom-creation';

export interface SbomArtefact {
  name: string;
  version: string;
  key: string;
  diffId: string;
  /** The package's licence as its nbpr.json states it (a valid SPDX expression). */
  declaredLicenses?: string;
  homepage?: string;
  /** Its legal-info rows: Buildroot's LICENSE text and source. */
  rows: ManifestRow[];
  /** Shipped files with their checksums (SPDX 2.3 requires SHA1 for files and the verification code). */
  files: Array<{ path: string; sha256: string; sha1: string }>;
}

const spdxId = (text: string) => text.replace(/[^A-Za-z0-9.-]+/g, '-');

/**
 * An SPDX 2.3 JSON document for the NBPR part of a firmware: one package per artefact with
 * its version, licence (Buildroot's text mapped to SPDX; the maintainers' nbpr.json licence as
 * the concluded one), source, and the checksum of every file it ships.
 */
export function spdxSbom(p: { firmware: string; artefacts: SbomArtefact[]; created: Date }): Record<string, unknown> {
  const references = new Map<string, string>();
  const packages = p.artefacts.map((a) => {
    const legal = artefactLegal(a);
    const mapped = legal.license ?? { expression: 'NOASSERTION', references: [] };
    for (const ref of mapped.references) references.set(ref.id, ref.text);
    return {
      SPDXID: `SPDXRef-Package-${spdxId(a.name)}`,
      name: a.name,
      versionInfo: a.version,
      downloadLocation: legal.download ?? 'NOASSERTION',
      ...(a.homepage ? { homepage: a.homepage } : {}),
      licenseDeclared: mapped.expression,
      licenseConcluded: a.declaredLicenses ?? 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      filesAnalyzed: true,
      packageVerificationCode: { packageVerificationCodeValue: verificationCode(a.files) },
      checksums: [{ algorithm: 'SHA256', checksumValue: a.diffId.replace(/^sha256:/, '') }],
      comment: `NBPR artefact, cache key ${a.key}; the checksum is of its uncompressed tar (diff id).`,
    };
  });
  const files = p.artefacts.flatMap((a) =>
    a.files.map((f, i) => ({
      SPDXID: `SPDXRef-File-${spdxId(a.name)}-${i}`,
      fileName: `./${a.name}/${f.path}`,
      checksums: [
        { algorithm: 'SHA1', checksumValue: f.sha1 },
        { algorithm: 'SHA256', checksumValue: f.sha256 },
      ],
      licenseConcluded: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
    })),
  );
  const relationships = [
    ...packages.map((pkg) => ({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: pkg.SPDXID })),
    ...p.artefacts.flatMap((a) => a.files.map((_, i) => ({ spdxElementId: `SPDXRef-Package-${spdxId(a.name)}`, relationshipType: 'CONTAINS', relatedSpdxElement: `SPDXRef-File-${spdxId(a.name)}-${i}` }))),
  ];
  const body = { packages, files, relationships };
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${p.firmware} (NBPR packages)`,
    // Derived from the content: the same firmware always gets the same namespace.
    documentNamespace: `https://nbpr.dev/spdx/${encodeURIComponent(p.firmware)}/${createHash('sha256').update(canonicalJson(body)).digest('hex')}`,
    creationInfo: { created: sbomTimestamp(p.created), creators: [`Tool: ${SBOM_TOOL.name}-${SBOM_TOOL.version}`] },
    ...(references.size ? { hasExtractedLicensingInfos: [...references].map(([licenseId, text]) => ({ licenseId, extractedText: text, name: text })) } : {}),
    ...body,
  };
}

/** SPDX 2.3 package verification code: sha1 over the sorted, concatenated sha1s of its files. */
function verificationCode(files: Array<{ sha1: string }>): string {
  return createHash('sha1').update(files.map((f) => f.sha1).sort().join('')).digest('hex');
}
