import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cyclonedxSbom, spdxSbom, type SbomArtefact } from '../src';
import type { ManifestRow } from '../src/manifest-csv';
import { cyclonedxProblems } from '../../../test/support/cyclonedx-schema';

const row = (PACKAGE: string, VERSION: string, LICENSE: string, site = 'https://example.org/dl'): ManifestRow => ({ PACKAGE, VERSION, LICENSE, 'LICENSE FILES': 'LICENSE', 'SOURCE ARCHIVE': `${PACKAGE}-${VERSION}.tar.gz`, 'SOURCE SITE': site, 'DEPENDENCIES WITH LICENSES': '' });
const sha = (s: string, alg = 'sha256') => createHash(alg).update(s).digest('hex');
const artefacts: SbomArtefact[] = [
  { name: 'busybox-extras', version: '1.38.0+nbpr1', key: 'a'.repeat(64), diffId: `sha256:${'b'.repeat(64)}`, declaredLicenses: 'GPL-2.0-only', homepage: 'https://busybox.net/', rows: [row('busybox-extras', '1.38.0', 'GPL-2.0, bzip2-1.0.4')], files: [{ path: 'target/usr/bin/x', sha256: sha('x'), sha1: sha('x', 'sha1') }] },
  // A local source site and no legal-info row of its own name: no download, the first row's licence.
  { name: 'tool', version: '2', key: 'c'.repeat(64), diffId: `sha256:${'d'.repeat(64)}`, rows: [row('tool-core', '2', 'MIT', '/home/me/src')], files: [] },
];
const created = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 123));

test('the CycloneDX SBOM is valid CycloneDX 1.6 with one component per artefact', () => {
  const doc = cyclonedxSbom({ firmware: 'fw', artefacts, created }) as any;
  assert.deepEqual(cyclonedxProblems(doc), []);
  assert.equal(doc.specVersion, '1.6');
  assert.equal(doc.metadata.timestamp, (spdxSbom({ firmware: 'fw', artefacts, created }) as any).creationInfo.created, "the SPDX document's creation time");
  assert.equal(doc.metadata.timestamp, '2026-01-01T00:00:00Z');
  assert.deepEqual(doc.metadata.component, { type: 'firmware', 'bom-ref': 'nbpr-firmware:fw', name: 'fw' });
  assert.deepEqual(doc.metadata.tools.components.map((t: { name: string }) => t.name), ['nbpr']);
  const [busybox, tool] = doc.components;
  assert.equal(busybox.purl, 'pkg:generic/busybox-extras@1.38.0%2Bnbpr1');
  assert.deepEqual(busybox.licenses, [{ expression: 'GPL-2.0-only AND LicenseRef-bzip2-1.0.4', acknowledgement: 'declared' }]);
  assert.deepEqual(busybox.hashes, [{ alg: 'SHA-256', content: 'b'.repeat(64) }]);
  assert.deepEqual(busybox.externalReferences, [{ type: 'source-distribution', url: 'https://example.org/dl/busybox-extras-1.38.0.tar.gz' }, { type: 'website', url: 'https://busybox.net/' }]);
  assert.deepEqual(busybox.properties, [{ name: 'nbpr:cache-key', value: 'a'.repeat(64) }, { name: 'nbpr:diff-id', value: `sha256:${'b'.repeat(64)}` }, { name: 'nbpr:licenses', value: 'GPL-2.0-only' }]);
  assert.deepEqual(tool.licenses, [{ expression: 'MIT', acknowledgement: 'declared' }]);
  assert.equal(tool.externalReferences, undefined, 'a local source site is no download');
  assert.deepEqual(doc.dependencies[0], { ref: 'nbpr-firmware:fw', dependsOn: [busybox['bom-ref'], tool['bom-ref']] });
});

test('the same firmware gives the same CycloneDX bytes; other content, another serial number', () => {
  const text = (a: SbomArtefact[], at = created) => JSON.stringify(cyclonedxSbom({ firmware: 'fw', artefacts: a, created: at }));
  assert.equal(text(artefacts), text(structuredClone(artefacts)));
  const serial = (t: string) => JSON.parse(t).serialNumber as string;
  assert.match(serial(text(artefacts)), /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(serial(text(artefacts)), serial(text([artefacts[0]])));
  assert.equal(serial(text(artefacts)), serial(text(artefacts, new Date(0))), 'derived from the content, as the SPDX namespace is, not from the time');
});

test('the CycloneDX schema check fails a broken BOM, naming where', () => {
  const doc = cyclonedxSbom({ firmware: 'fw', artefacts, created }) as any;
  doc.components[0].hashes[0].alg = 'SHA256';
  delete doc.components[1].name;
  doc.serialNumber = 'fw-1';
  const problems = cyclonedxProblems(doc);
  assert.ok(problems.some((p) => p.startsWith('/components/0/hashes/0/alg: must be equal to one of the allowed values')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith("/components/1: must have required property 'name'")), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('/serialNumber: must match pattern')), problems.join('\n'));
});
