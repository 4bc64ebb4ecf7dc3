import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDotConfig } from '@nbpr/model';
import { toolchainArtefactName as artefactName, toolchainDownload } from '@nbpr/nerves-artifacts';
import { readFileSync } from 'node:fs';
import { repoRoot } from './reference';

/** test/fixtures/buildroot-double and test/fixtures/nerves-system-br-double (see their READMEs). */
export const buildrootDouble = join(repoRoot, 'test', 'fixtures', 'buildroot-double');
export const nervesSystemBrDouble = join(repoRoot, 'test', 'fixtures', 'nerves-system-br-double');
export const exampleSystemDir = join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0');

/**
 * The environment of a source build with the doubles, inside `scratch`: Buildroot's download
 * dir, and Nerves' download dir holding the toolchain tarball the example system's .config
 * downloads (a stand-in, named as the .config names it), as a machine where Nerves already
 * fetched the toolchain has it.
 */
export function doubleBuildEnv(scratch: string, systemDir = exampleSystemDir): Record<string, string> {
  const nervesDl = join(scratch, 'nerves-dl');
  mkdirSync(nervesDl, { recursive: true });
  const config = parseDotConfig(readFileSync(join(systemDir, '.config'), 'utf8')).symbols;
  const toolchain = toolchainDownload(config);
  if (toolchain) {
    const top = join(scratch, 'toolchain-src', artefactName(toolchain.file));
    mkdirSync(join(top, 'bin'), { recursive: true });
    writeFileSync(join(top, 'README'), 'Stand-in for a Nerves toolchain (Buildroot test double)\n');
    execFileSync('tar', ['-cJf', join(nervesDl, toolchain.file), '-C', join(top, '..'), top.split('/').pop()!]);
  }
  return {
    NBPR_BUILDROOT_DIR: buildrootDouble,
    NBPR_NERVES_SYSTEM_BR_DIR: nervesSystemBrDouble,
    NERVES_DL_DIR: nervesDl,
    NERVES_BR_DL_DIR: join(scratch, 'buildroot-dl'),
  };
}
