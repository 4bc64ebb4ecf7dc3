import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, found from this file (tests never hard-code machine paths). */
export const repoRoot = join(__dirname, '..', '..');

export interface BuildrootPackageFacts {
  version: string;
  homepage: string;
  license: string;
  symbol: string;
  description: string;
  options: Array<{ symbol: string; type: string; prompt: string; default: string[] | null; select: string[] | null }>;
  selects: string[];
}

/** Facts of the Buildroot 2026.05.1 packages the tests use (test/fixtures/buildroot-2026.05.1-packages.json). */
export function buildrootPackages(): Record<string, BuildrootPackageFacts> {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'buildroot-2026.05.1-packages.json'), 'utf8')).packages;
}

/** A .config as Buildroot 2026.05.1 writes it for a Nerves system: the example system's, written by real Buildroot. */
export function realDotConfig(): string {
  return readFileSync(join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0', '.config'), 'utf8');
}

/** A legal-info/manifest.csv as Buildroot 2026.05.1 writes it (test/fixtures/legal-info). */
export const realLegalManifest = join(repoRoot, 'test', 'fixtures', 'legal-info', 'manifest.csv');
