import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, found from this file (tests never hard-code machine paths). */
export const repoRoot = join(__dirname, '..', '..');

/** ../shared/reference: facts of real Buildroot and Nerves, for realistic fixtures. */
export const referenceDir = join(repoRoot, '..', 'shared', 'reference');

export interface BuildrootPackageFacts {
  version: string;
  homepage: string;
  license: string;
  symbol: string;
  description: string;
  options: Array<{ symbol: string; type: string; prompt: string; default: string[] | null; select: string[] | null }>;
  selects: string[];
}

export function buildrootPackages(): Record<string, BuildrootPackageFacts> {
  return JSON.parse(readFileSync(join(referenceDir, 'buildroot-2026.05.1', 'packages.json'), 'utf8'));
}

export function sampleDotConfig(): string {
  return readFileSync(join(referenceDir, 'buildroot-2026.05.1', 'sample-dot-config'), 'utf8');
}
