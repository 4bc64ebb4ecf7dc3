import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageMetadata } from '@nbpr/model';
import { renderCatalogueSite } from '../src';
import { tempDir } from '../../../test/support/temp';

test('catalogue text is escaped everywhere it lands, and a homepage that is not http(s) is no link', async () => {
  const evil = '</script><script>alert(1)</script>" onmouseover="x';
  const metadata = {
    schemaVersion: 1,
    name: 'evil',
    version: '1.0',
    description: evil,
    homepage: 'javascript:alert(1)',
    licenses: evil,
    buildroot: { package: 'evil' },
    targets: ['*'],
    options: { o: { type: 'boolean', default: true, kconfig: 'BR2_PACKAGE_EVIL_O', description: evil } },
    daemons: { d: { path: 'usr/sbin/evil', description: evil, options: { x: { type: 'string', flag: '--x', description: evil } } } },
  } as unknown as PackageMetadata;
  const out = join(tempDir(), 'site');
  await renderCatalogueSite([{ metadata, prebuilt: { 'nerves_system_rpi4@2.0.4': { state: 'unknown', why: evil } } }], ['nerves_system_rpi4@2.0.4'], out);
  for (const file of [join(out, 'index.html'), join(out, 'packages', 'evil.html')]) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /<script>alert/, `${file}: no script from the catalogue`);
    assert.doesNotMatch(text, /" onmouseover=/, `${file}: no attribute from the catalogue`);
    assert.doesNotMatch(text, /href="javascript:/, `${file}: no javascript: link`);
    assert.equal(text.match(/<script/g)?.length ?? 0, file.endsWith('index.html') ? 2 : 0, "only the page's own scripts");
  }
});
