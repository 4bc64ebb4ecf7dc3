import { mkdir, rm } from 'node:fs/promises';
import { machine } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isDirectory, isFile, NbprError, unquoteKconfigString, withLockFile } from '@nbpr/model';
import { downloadResumable, partialName, sha256OfFile } from './download-file';
import { throughGithubOrigin } from './github-releases';
import { nervesArtifactsDir, nervesDownloadDir } from './nerves-dirs';
import { readSourcesLock, verifyOrRecord } from './sources-lock';

/** The toolchain file a system's .config downloads (BR2_TOOLCHAIN_EXTERNAL_DOWNLOAD), with make's `$(shell uname -m)` expanded as make expands it. */
export function toolchainDownload(config: Map<string, string>): { url: string; file: string } | null {
  if (config.get('BR2_TOOLCHAIN_EXTERNAL_DOWNLOAD') !== 'y' || config.get('BR2_TOOLCHAIN_EXTERNAL_CUSTOM') !== 'y') return null;
  const raw = unquoteKconfigString(config.get('BR2_TOOLCHAIN_EXTERNAL_URL') ?? '');
  if (!raw) return null;
  const url = raw.replace(/\$[({]shell uname -m[)}]/g, machine());
  return { url, file: basename(url) };
}

/** A Nerves toolchain release `<name>-<checksum>.tar.xz` unpacks as the artefact `<name>`. */
export function toolchainArtefactName(file: string): string {
  return file.replace(/\.tar\.\w+$/, '').replace(/-[0-9A-F]{6,}$/i, '');
}

export interface ObtainToolchainInput {
  /** The system's .config. */
  config: Map<string, string>;
  lockFile: string;
  env?: NodeJS.ProcessEnv;
  progress?: (line: string) => void;
}

/**
 * The toolchain a system's source builds need, where Nerves keeps it: nothing to do when Nerves
 * has it (NERVES_TOOLCHAIN, unpacked in its artifacts dir, or the release file in its download
 * dir); else the release file the .config names, downloaded (resumed if a transfer broke) into
 * Nerves' download dir and verified against the workspace lock file (recorded on first use).
 * Returns what it did, or null when the system has no downloaded toolchain.
 */
export async function obtainToolchain(input: ObtainToolchainInput): Promise<string | null> {
  const env = input.env ?? process.env;
  const wanted = toolchainDownload(input.config);
  if (!wanted) return null;
  const unpacked = [env.NERVES_TOOLCHAIN, join(nervesArtifactsDir(env), toolchainArtefactName(wanted.file))].find((d): d is string => Boolean(d) && isDirectory(d!));
  if (unpacked) return `toolchain ${wanted.file}: Nerves has it unpacked in ${unpacked}`;
  const file = join(nervesDownloadDir(env), wanted.file);
  await mkdir(dirname(file), { recursive: true });
  return withLockFile(`${file}.lock`, async () => {
    let how = `toolchain ${wanted.file} already in ${file}`;
    if (!isFile(file)) {
      const url = throughGithubOrigin(wanted.url, env);
      input.progress?.(`downloading toolchain ${url}`);
      try {
        await downloadResumable(url, file);
      } catch (error) {
        throw new NbprError(`cannot download the toolchain of the system: ${(error as Error).message}`, {
          code: 'toolchain/download-failed',
          where: url,
          hint: `On a machine with network access, download ${wanted.url} and put it at ${file} (Nerves' download dir, NERVES_DL_DIR), or point NERVES_TOOLCHAIN at the unpacked toolchain.${isFile(partialName(file)) ? ' Running again resumes the transfer.' : ''}`,
        });
      }
      how = `toolchain ${wanted.file} downloaded into ${file}`;
    }
    const sha256 = await sha256OfFile(file);
    try {
      await verifyOrRecord(readSourcesLock(input.lockFile), wanted.file, sha256);
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
    return how;
  });
}
