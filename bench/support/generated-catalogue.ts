import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packArtefact } from '../../libs/artefact/src';
import { checksumText, writeManifestText } from '../../libs/legal/src';
import { Catalogue, readSystem, systemIdentity } from '../../libs/model/src';
import { resolvePackage, type ResolvedPackage } from '../../libs/resolve/src';
import { publishArtefact, siteFor } from '../../libs/sites/src';
import { signAsExample } from '../../test/support/keys';

/**
 * Adds `count` generated packages (gen-00, gen-01, ...) for the example system and a firmware
 * `fw<count>` that includes them all, publishes a small artefact for each to
 * `<registryHost>/bench` (signed with the example key), and adds that registry to the workspace's sites: a catalogue whose
 * every package is already published.
 */
export async function addGeneratedCatalogue(ws: string, registryHost: string, count: number): Promise<string[]> {
  const system = readSystem(join(ws, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0'));
  const names = Array.from({ length: count }, (_, i) => `gen-${String(i).padStart(2, '0')}`);
  const files = names.map((name) => {
    const dir = join(ws, 'packages', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'nbpr.json'), JSON.stringify({ schemaVersion: 1, name, version: '1.0.0', description: 'generated', homepage: 'https://example.org/', licenses: 'MIT', buildroot: { package: name }, targets: ['*'] }, null, 2));
    return join(dir, 'nbpr.json');
  });
  mkdirSync(join(ws, `fw${count}`));
  writeFileSync(join(ws, `fw${count}`, 'nbpr.firmware.json'), JSON.stringify({ schemaVersion: 1, name: `fw${count}`, system: system.id, packages: Object.fromEntries(names.map((n) => [n, {}])) }, null, 2));
  const catalogue = Catalogue.load(files, ws);
  for (const name of names) {
    const resolved = (await resolvePackage({ catalogue, system: systemIdentity(system) }, name)) as ResolvedPackage;
    const src = mkdtempSync(join(tmpdir(), 'nbpr-bench-src-'));
    try {
      mkdirSync(join(src, 'target', 'usr', 'bin'), { recursive: true });
      writeFileSync(join(src, 'target', 'usr', 'bin', name), `#!/bin/sh\necho ${name}\n`);
      const legal = join(src, 'legal-info');
      mkdirSync(join(legal, 'licenses', `${name}-1.0.0`), { recursive: true });
      writeFileSync(join(legal, 'licenses', `${name}-1.0.0`, 'LICENSE'), 'MIT\n');
      writeFileSync(join(legal, 'manifest.csv'), writeManifestText([{ PACKAGE: name, VERSION: '1.0.0', LICENSE: 'MIT', 'LICENSE FILES': 'LICENSE', 'SOURCE ARCHIVE': `${name}-1.0.0.tar.gz`, 'SOURCE SITE': 'https://example.org', 'DEPENDENCIES WITH LICENSES': '' }]));
      writeFileSync(join(legal, 'legal-info.sha256'), checksumText(legal));
      const file = join(src, 'a.tar.gz');
      const packed = await packArtefact({ sourceDir: src, keyDocument: resolved.keyDocument, outFile: file });
      // Signed as publish signs, with the example key the workspace's trust policy requires.
      const site = siteFor(`${registryHost}/bench`, ws);
      const { manifestDigest } = await publishArtefact(site.repository(name), resolved.tag, packed, file);
      await signAsExample(site.repository(name), site.identity(name), manifestDigest, resolved);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  }
  updatePluginOptions(ws, (options) => ({ ...options, sites: [...(options.sites as string[]), `${registryHost}/bench`] }));
  return names;
}

/** Rewrites the @nbpr/nx-plugin options in the workspace's nx.json. */
export function updatePluginOptions(ws: string, update: (options: Record<string, unknown>) => Record<string, unknown>): void {
  const nxJsonPath = join(ws, 'nx.json');
  const nxJson = JSON.parse(readFileSync(nxJsonPath, 'utf8'));
  const plugin = nxJson.plugins.find((p: { plugin?: string }) => p.plugin === '@nbpr/nx-plugin');
  plugin.options = update(plugin.options);
  writeFileSync(nxJsonPath, JSON.stringify(nxJson, null, 2));
}
