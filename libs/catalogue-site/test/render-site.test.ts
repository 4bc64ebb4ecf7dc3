import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NbprError, type PackageMetadata } from '@nbpr/model';
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

test('a site replaces only an earlier site or an empty directory: a file or a directory of other things is refused and left as it was', async () => {
  const metadata = { schemaVersion: 1, name: 'hello', version: '1.0', description: 'hi', homepage: 'https://example.org/', licenses: 'MIT', buildroot: { package: 'hello' }, targets: ['*'] } as unknown as PackageMetadata;
  const site = [{ metadata, prebuilt: {} }];
  const root = tempDir();
  const file = join(root, 'precious.txt');
  writeFileSync(file, 'precious');
  const dir = join(root, 'mine');
  mkdirSync(dir);
  writeFileSync(join(dir, 'keep.txt'), 'keep');
  for (const [out, what] of [[file, /would replace a file/], [dir, /would replace a directory of 1 entry that is no catalogue site/]] as const) {
    await assert.rejects(renderCatalogueSite(site, [], out), (e: unknown) => e instanceof NbprError && e.code === 'catalogue-site/occupied' && what.test(e.message) && e.format().includes(out));
  }
  assert.equal(readFileSync(file, 'utf8'), 'precious');
  assert.deepEqual(readdirSync(dir), ['keep.txt']);
  assert.deepEqual(readdirSync(root).sort(), ['mine', 'precious.txt'], 'no partial site left beside them');

  const out = join(root, 'site');
  mkdirSync(out);
  await renderCatalogueSite(site, [], out);
  await renderCatalogueSite(site, [], out);
  assert.ok(existsSync(join(out, 'packages', 'hello.html')), 'an empty directory, then the site itself, is replaced');
  const unmarked = join(root, 'old-site');
  cpSync(out, unmarked, { recursive: true });
  rmSync(join(unmarked, '.nbpr-catalogue-site'));
  await renderCatalogueSite(site, [], unmarked);
  assert.ok(existsSync(join(unmarked, '.nbpr-catalogue-site')), 'a site written before sites were marked is replaced too');
});
