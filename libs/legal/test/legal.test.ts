import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import parseSpdx from 'spdx-expression-parse';
import { aggregateLegalInfo, mapBuildrootLicense, spdxSbom, validateSlice } from '../src';
import { checksumText } from '../src/checksums';
import { readManifest, writeManifestText, ManifestRow } from '../src/manifest-csv';
import { realLegalManifest, repoRoot } from '../../../test/support/reference';
import { tempDir } from '../../../test/support/temp';

const systemLegal = join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0', 'legal-info');
const row = (PACKAGE: string, VERSION: string, LICENSE: string, files = 'LICENSE'): ManifestRow => ({ PACKAGE, VERSION, LICENSE, 'LICENSE FILES': files, 'SOURCE ARCHIVE': `${PACKAGE}-${VERSION}.tar.gz`, 'SOURCE SITE': 'https://example.org/dl', 'DEPENDENCIES WITH LICENSES': '' });

function slice(rows: ManifestRow[]): string {
  const dir = tempDir();
  for (const r of rows) {
    mkdirSync(join(dir, 'licenses', `${r.PACKAGE}-${r.VERSION}`), { recursive: true });
    writeFileSync(join(dir, 'licenses', `${r.PACKAGE}-${r.VERSION}`, 'LICENSE'), `${r.LICENSE} text\n`);
  }
  writeFileSync(join(dir, 'manifest.csv'), writeManifestText(rows));
  writeFileSync(join(dir, 'legal-info.sha256'), checksumText(dir));
  return dir;
}

test("Buildroot's real manifest.csv reads, and writes back byte for byte, fully quoted", () => {
  const file = realLegalManifest;
  const rows = readManifest(file);
  assert.equal(rows[0].LICENSE, 'MIT (code), ICU (decNumber), CC-BY-3.0 (documentation), BSD-2-Clause (strptime)');
  assert.equal(writeManifestText(rows), readFileSync(file, 'utf8'));
});

test('fields with quotes, commas and empties are quoted as CSV requires', () => {
  const text = writeManifestText([{ ...row('odd', '1', 'A "quoted", licence'), 'SOURCE SITE': '' }]);
  assert.match(text, /"odd","1","A ""quoted"", licence","LICENSE","odd-1\.tar\.gz","",""\n$/);
  const back = join(tempDir(), 'm.csv');
  writeFileSync(back, text);
  assert.equal(readManifest(back)[0].LICENSE, 'A "quoted", licence');
});

test("Buildroot licence strings map to valid SPDX expressions, unknown ones to LicenseRefs", () => {
  const cases: Array<[string, string]> = [
    ['MIT (code), ICU (decNumber), CC-BY-3.0 (documentation),  BSD-2-Clause (strptime)', 'MIT AND ICU AND CC-BY-3.0 AND BSD-2-Clause'],
    ['GPL-2.0 or GPL-3.0', 'GPL-2.0-only OR GPL-3.0-only'],
    ['GPL-2.0+', 'GPL-2.0-or-later'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['GPL-2.0, bzip2-1.0.4', 'GPL-2.0-only AND bzip2-1.0.6'.replace('bzip2-1.0.6', 'LicenseRef-bzip2-1.0.4')],
    ['Public Domain', 'LicenseRef-Public-Domain'],
  ];
  for (const [buildroot, spdx] of cases) {
    const mapped = mapBuildrootLicense(buildroot);
    assert.equal(mapped.expression, spdx, buildroot);
    parseSpdx(mapped.expression);
  }
  assert.deepEqual(mapBuildrootLicense('GPL-2.0, bzip2-1.0.4').references, [{ id: 'LicenseRef-bzip2-1.0.4', text: 'bzip2-1.0.4' }]);
});

test('the aggregate merges the system with every slice: duplicates merge, a second version is flagged, checksums recomputed', async () => {
  const a = slice([row('jq', '1.8.2', 'MIT'), row('oniguruma', '6.9.10', 'BSD-2-Clause')]);
  const b = slice([row('oniguruma', '6.9.10', 'BSD-2-Clause'), row('zlib', '1.2.13', 'Zlib')]);
  const out = join(tempDir(), 'legal-info');
  const result = await aggregateLegalInfo({ system: systemLegal, slices: [{ owner: 'jq', dir: a }, { owner: 'tool', dir: b }], out, title: 'firmware test' });
  const rows = readManifest(join(out, 'manifest.csv'));
  assert.equal(rows.filter((r) => r.PACKAGE === 'oniguruma').length, 1, 'one row for one (package, version)');
  assert.ok(rows.some((r) => r.PACKAGE === 'busybox'), "the system's packages are kept");
  assert.deepEqual(result.skew.map((s) => [s.package, s.versions.map((v) => v.version)]), [['zlib', ['1.3.1', '1.2.13']]]);
  assert.match(readFileSync(join(out, 'README'), 'utf8'), /WARNING: packages present at more than one version:\n\s+zlib: 1\.3\.1 \(from system\); 1\.2\.13 \(from tool\)/);
  assert.equal(readFileSync(join(out, 'legal-info.sha256'), 'utf8'), checksumText(out));
  assert.ok(readFileSync(join(out, 'licenses', 'busybox-1.38.0', 'LICENSE'), 'utf8'));
  assert.ok(readFileSync(join(out, 'licenses', 'jq-1.8.2', 'LICENSE'), 'utf8'));
  assert.match(readFileSync(join(out, 'host-manifest.csv'), 'utf8'), /"host-pkgconf"/);
});

test('a tampered slice is refused with its owner named', () => {
  const dir = slice([row('jq', '1.8.2', 'MIT')]);
  appendFileSync(join(dir, 'licenses', 'jq-1.8.2', 'LICENSE'), 'edited\n');
  assert.throws(() => validateSlice(dir, 'jq'), (e: Error & { format(): string }) => /^jq: .*: legal-info\.sha256 does not match/.test(e.format()));
  const missing = slice([row('jq', '1.8.2', 'MIT', 'LICENSE COPYING')]);
  assert.throws(() => validateSlice(missing, 'jq'), /licence file COPYING of jq 1\.8\.2 is missing/);
});

test('the SBOM is SPDX 2.3 with one package per artefact, mapped licences and file checksums', () => {
  const sha = (s: string, alg = 'sha256') => createHash(alg).update(s).digest('hex');
  const doc = spdxSbom({
    firmware: 'fw',
    created: new Date(0),
    artefacts: [{ name: 'busybox-extras', version: '1.38.0', key: 'a'.repeat(64), diffId: `sha256:${'b'.repeat(64)}`, declaredLicenses: 'GPL-2.0-only', rows: [row('busybox-extras', '1.38.0', 'GPL-2.0, bzip2-1.0.4')], files: [{ path: 'target/usr/bin/x', sha256: sha('x'), sha1: sha('x', 'sha1') }] }],
  }) as any;
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
  assert.equal(doc.packages.length, 1);
  assert.equal(doc.packages[0].licenseDeclared, 'GPL-2.0-only AND LicenseRef-bzip2-1.0.4');
  assert.equal(doc.packages[0].downloadLocation, 'https://example.org/dl/busybox-extras-1.38.0.tar.gz');
  assert.deepEqual(doc.hasExtractedLicensingInfos, [{ licenseId: 'LicenseRef-bzip2-1.0.4', extractedText: 'bzip2-1.0.4', name: 'bzip2-1.0.4' }]);
  assert.deepEqual(doc.files[0].checksums.map((c: { algorithm: string }) => c.algorithm), ['SHA1', 'SHA256']);
  assert.ok(doc.relationships.some((r: { relationshipType: string }) => r.relationshipType === 'CONTAINS'));
  assert.match(doc.documentNamespace, /^https:\/\/nbpr\.dev\/spdx\/fw\/[0-9a-f]{64}$/);
});
