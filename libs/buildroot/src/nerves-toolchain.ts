import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { isDirectory, isFile } from '@nbpr/model';
import { nervesDownloadDir, toolchainArtefactName, toolchainDownload } from '@nbpr/nerves-artifacts';

/** Buildroot's download directory for NBPR's builds: Nerves' own (NERVES_BR_DL_DIR, else ~/.nerves/dl), outside any Buildroot tree and shared by every build, as nerves_system_br's create-build.sh shares it. */
export function downloadDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NERVES_BR_DL_DIR || join(env.HOME || homedir(), '.nerves', 'dl');
}

/**
 * Puts the toolchain Nerves already has where Buildroot looks before downloading it
 * (`<dl>/toolchain-external-custom/<file>`), so that a build never downloads it again and is
 * the same as one that did. Looked for: the tarball in Buildroot's download dir already, in
 * Nerves' download dir (NERVES_DL_DIR, ~/.nerves/dl), then an unpacked toolchain (NERVES_TOOLCHAIN,
 * or `<name>` under Nerves' artifacts dirs), packed with its top directory as the release is.
 * Returns what it did, or null when the toolchain is not on this machine (Buildroot downloads it).
 */
export async function seedToolchain(config: Map<string, string>, dlDir: string, artifactDirs: string[], env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const wanted = toolchainDownload(config);
  if (!wanted) return null;
  const destination = join(dlDir, 'toolchain-external-custom', wanted.file);
  if (existsSync(destination)) return `toolchain ${wanted.file} already in ${dirname(destination)}`;
  await mkdir(dirname(destination), { recursive: true });
  const temp = `${destination}.${process.pid}.partial`;
  const nervesDl = nervesDownloadDir(env);
  const tarball = [join(nervesDl, wanted.file), join(dlDir, wanted.file)].find((f) => isFile(f));
  try {
    if (tarball) {
      await link(tarball, temp).catch(() => copyFile(tarball, temp));
      await rename(temp, destination);
      return `toolchain ${wanted.file} from ${tarball}`;
    }
    const artefact = toolchainArtefactName(wanted.file);
    const unpacked = [env.NERVES_TOOLCHAIN, ...artifactDirs.map((d) => join(d, artefact))].find((d): d is string => Boolean(d) && isDirectory(d!));
    if (!unpacked) return null;
    // Buildroot extracts with --strip-components=1: one top directory, named as the release's.
    await execa('tar', ['-cJf', temp, '-C', dirname(unpacked), '--sort=name', '--owner=0', '--group=0', '--numeric-owner', basename(unpacked)], { env: { ...env, XZ_OPT: '-T0 -0' } });
    await rename(temp, destination);
    return `toolchain ${wanted.file} packed from ${unpacked}`;
  } finally {
    await rm(temp, { force: true });
  }
}
