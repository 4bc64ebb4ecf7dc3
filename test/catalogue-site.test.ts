import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot } from './support/reference';
import { tempDir } from './support/temp';

/** A table row as the page's script sees it (no DOM types here: the workspace compiles for Node). */
type Row = { dataset: { name?: string }; hidden: boolean };

// The catalogue site in Debian's Chromium, headless, from local files: every package listed,
// search and filters narrowing the list, a package page with its options and daemons, and no
// request leaving the machine. The screenshot is kept in dist/test-output/.

test('the catalogue site lists every package, narrows by search, licence and system, shows options and daemons, and fetches nothing from outside', async () => {
  const out = join(tempDir(), 'site');
  const { NODE_OPTIONS: _, ...env } = process.env;
  const built = spawnSync(process.execPath, [join(repoRoot, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), 'site', out], { cwd: repoRoot, env, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stdout + built.stderr);
  const packages = [...readdirSync(join(repoRoot, 'packages')), ...readdirSync(join(repoRoot, 'examples', 'packages'))].sort();

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${join(out, 'index.html')}`);
    const listed = await page.$$eval('tr.package', (rows) => rows.map((r) => (r as unknown as Row).dataset.name!));
    assert.deepEqual(listed.sort(), packages, 'the index lists every package');
    const visible = () => page.$$eval('tr.package', (rows) => rows.filter((r) => !(r as unknown as Row).hidden).map((r) => (r as unknown as Row).dataset.name!));

    await page.fill('#search', 'gps');
    assert.deepEqual(await visible(), ['gpsd'], 'search narrows by name and description');
    assert.equal(await page.textContent('#count'), '1');
    await page.fill('#search', '');
    await page.selectOption('#licence', 'MIT AND ICU AND CC-BY-3.0 AND BSD-2-Clause');
    assert.deepEqual(await visible(), ['jq'], 'the licence filter');
    await page.selectOption('#licence', '');
    await page.selectOption('#system', 'nerves_system_nbpr_example@0.1.0');
    assert.deepEqual((await visible()).sort(), ['nbpr-heartbeat', 'nbpr-hello'], 'the system filter keeps the packages that target it');
    await page.selectOption('#system', '');
    assert.equal((await visible()).length, packages.length);

    const screenshots = join(repoRoot, 'dist', 'test-output');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'catalogue-site-index.png'), fullPage: true });

    await page.click('a[href="packages/dnsmasq.html"]');
    assert.match(await page.textContent('h1') ?? '', /dnsmasq/);
    const options = await page.$$eval('tr.option', (rows) => rows.map((r) => r.textContent ?? ''));
    assert.ok(options.some((o) => o.includes('tftp') && o.includes('BR2_PACKAGE_DNSMASQ_TFTP')), `options with their kconfig symbols: ${options.join(' | ')}`);
    const daemon = await page.textContent('section.daemon');
    assert.match(daemon ?? '', /usr\/sbin\/dnsmasq/);
    assert.match(daemon ?? '', /--keep-in-foreground/);
    assert.match(daemon ?? '', /--conf-file/);

    await page.goto(`file://${join(out, 'packages', 'nbpr-hello.html')}`);
    const prebuilt = await page.$$eval('tr.prebuilt', (rows) => rows.map((r) => r.textContent ?? ''));
    assert.ok(prebuilt.some((p) => /nerves_system_nbpr_example@0\.1\.0\s*published \(examples\/registry\)/.test(p)), prebuilt.join(' | '));
    assert.ok(prebuilt.some((p) => /nerves_system_rpi4@2\.0\.4\s*unknown/.test(p)), 'a system not on the machine is unknown');
    await page.screenshot({ path: join(screenshots, 'catalogue-site-package.png'), fullPage: true });

    const outside = requests.filter((url) => !url.startsWith('file://'));
    assert.deepEqual(outside, [], 'no request leaves the machine');
  } finally {
    await browser.close();
  }
});
