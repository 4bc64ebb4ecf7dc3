import { createHash } from 'node:crypto';
import { canonicalJson } from '@nbpr/key';
import { artefactLegal } from './artefact-legal';
import type { SbomArtefact } from './sbom';
import { SBOM_TOOL, sbomTimestamp } from './sbom-creation';

/** RFC 4122's URL namespace: the serial number is the name-based UUID of a URL, as SPDX's namespace is that URL. */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

/**
 * A CycloneDX 1.6 JSON BOM of the NBPR part of a firmware, from what the SPDX document is made
 * of: one component per artefact with its version, a generic purl, Buildroot's licence mapped to
 * SPDX, the SHA-256 of its uncompressed tar (diff id), its source download and its NBPR cache
 * key; the firmware as the BOM's subject, depending on every artefact.
 */
export function cyclonedxSbom(p: { firmware: string; artefacts: SbomArtefact[]; created: Date }): Record<string, unknown> {
  const components = p.artefacts.map((a) => {
    const legal = artefactLegal(a);
    const purl = `pkg:generic/${encodeURIComponent(a.name)}@${encodeURIComponent(a.version)}`;
    const references = [
      ...(legal.download ? [{ type: 'source-distribution', url: legal.download }] : []),
      ...(a.homepage ? [{ type: 'website', url: a.homepage }] : []),
    ];
    return {
      // "library" as cyclonedx-npm says of every package: whether an artefact is a program or a library is not recorded.
      type: 'library',
      'bom-ref': purl,
      name: a.name,
      version: a.version,
      purl,
      // Buildroot's licence is what the package declares; CycloneDX takes one expression, so the maintainers' nbpr.json licence is a property.
      ...(legal.license ? { licenses: [{ expression: legal.license.expression, acknowledgement: 'declared' }] } : {}),
      hashes: [{ alg: 'SHA-256', content: a.diffId.replace(/^sha256:/, '') }],
      ...(references.length ? { externalReferences: references } : {}),
      properties: [
        { name: 'nbpr:cache-key', value: a.key },
        // Says what the hash is of: the artefact's uncompressed tar, not a download.
        { name: 'nbpr:diff-id', value: a.diffId },
        ...(a.declaredLicenses ? [{ name: 'nbpr:licenses', value: a.declaredLicenses }] : []),
      ],
    };
  });
  const firmwareRef = `nbpr-firmware:${p.firmware}`;
  const body = { firmware: p.firmware, components };
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    // Derived from the content: the same firmware always gets the same serial number, so the same bytes.
    serialNumber: `urn:uuid:${uuidV5(`https://nbpr.dev/cyclonedx/${encodeURIComponent(p.firmware)}/${createHash('sha256').update(canonicalJson(body)).digest('hex')}`)}`,
    version: 1,
    metadata: {
      timestamp: sbomTimestamp(p.created),
      tools: { components: [{ type: 'application', name: SBOM_TOOL.name, version: SBOM_TOOL.version }] },
      component: { type: 'firmware', 'bom-ref': firmwareRef, name: p.firmware },
    },
    components,
    dependencies: [
      { ref: firmwareRef, dependsOn: components.map((c) => c['bom-ref']) },
      ...components.map((c) => ({ ref: c['bom-ref'] })),
    ],
  };
}

/** RFC 4122 version 5 (name-based, SHA-1) UUID of a URL. */
function uuidV5(url: string): string {
  const bytes = createHash('sha1').update(URL_NAMESPACE).update(url).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
