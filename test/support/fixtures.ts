import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildrootPackages, realDotConfig } from './reference';

/** nbpr.json of a mainline package, filled from the real Buildroot 2026.05.1 facts. */
export function mainlinePackage(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const facts = buildrootPackages()[name];
  if (!facts) throw new Error(`no reference facts for ${name}`);
  return {
    schemaVersion: 1,
    name,
    // Virtual packages (jpeg, zlib, openssl) have no version or homepage of their own.
    version: facts.version ?? '1.0',
    description: (facts.description || `the ${name} package`).split('. ')[0],
    homepage: facts.homepage ?? 'https://buildroot.org/',
    licenses: 'MIT',
    buildroot: { package: name },
    targets: ['nerves_system_rpi4'],
    ...extra,
  };
}

export function writeJson(path: string, value: unknown): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2) + '\n');
  return path;
}

/** A Nerves system artefact directory `<app>-portable-<version>` with a .config real Buildroot wrote, renamed to `app`. */
export function systemArtefact(parent: string, app = 'nerves_system_rpi4', version = '2.0.4', extraConfig = ''): string {
  const dir = join(parent, `${app}-portable-${version}`);
  mkdirSync(join(dir, 'staging', 'usr', 'lib'), { recursive: true });
  mkdirSync(join(dir, 'legal-info'), { recursive: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  writeFileSync(join(dir, '.config'), realDotConfig().replace(/^BR2_NERVES_SYSTEM_NAME=.*$/m, `BR2_NERVES_SYSTEM_NAME="${app}"`) + extraConfig);
  writeFileSync(join(dir, 'nerves-system.tag'), 'v1.34.0\n');
  return dir;
}
