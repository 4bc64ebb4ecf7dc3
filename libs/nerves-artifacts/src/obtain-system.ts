import { readdirSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { NbprError, isDirectory, isFile, parseSystemId, readSystem, withLockFile, type SystemSource } from '@nbpr/model';
import { downloadResumable, partialName, sha256OfFile } from './download-file';
import { releaseAssets, releaseDownloadUrl, releasePageUrl, type ReleaseAsset } from './github-releases';
import { nervesArtifactsDir, nervesDownloadDir } from './nerves-dirs';
import { isSystemDownloadName, systemArtefactName, systemDownloadName } from './system-artefact-names';
import { readSourcesLock, verifyOrRecord, type Pin } from './sources-lock';
import { unpackAtomically } from './unpack';

export interface ObtainSystemInput {
  /** app@version */
  id: string;
  /** What nx.json says of the system (systems[id]), if anything. */
  source?: SystemSource;
  /** The workspace's lock file (nbpr.sources.lock.json). */
  lockFile: string;
  env?: NodeJS.ProcessEnv;
  progress?: (line: string) => void;
}

/** Where a release file comes from, and who vouches for its sha256. */
interface Release {
  file: string;
  url: string;
  pin?: Pin;
}

/**
 * A Nerves system not on this machine, obtained as `mix deps.get` obtains it: the release file
 * `<app>-portable-<version>-<checksum>.tar.gz` of the system's GitHub releases (tag v<version>;
 * nx.json may give the repository, the checksum, or a whole URL and sha256), into Nerves'
 * download dir (kept there, so Nerves finds it too), resumed if a transfer broke, verified (the
 * sha256 nx.json gives, else GitHub's digest of the asset, and the workspace lock file), then
 * unpacked as Nerves does (top directory stripped) through a temporary sibling into
 * `<artifacts dir>/<app>-portable-<version>`. With the full Nerves checksum in nx.json, its
 * CHECKSUM file is written too, and Nerves uses the directory as its own. Returns the directory.
 */
export async function obtainSystem(input: ObtainSystemInput): Promise<string> {
  const env = input.env ?? process.env;
  const progress = input.progress ?? (() => undefined);
  const { app, version } = parseSystemId(input.id);
  const source = input.source ?? {};
  const dir = join(nervesArtifactsDir(env), systemArtefactName(app, version));
  const dlDir = nervesDownloadDir(env);
  await mkdir(dlDir, { recursive: true });
  return withLockFile(join(dlDir, `${systemArtefactName(app, version)}.lock`), async () => {
    if (isDirectory(dir)) return dir;
    const release = await findRelease(app, version, source, dlDir, env);
    const tarball = join(dlDir, release.file);
    if (!isFile(tarball)) {
      progress(`downloading ${input.id}: ${release.url}`);
      try {
        await downloadResumable(release.url, tarball);
      } catch (error) {
        throw new NbprError(`cannot download Nerves system ${input.id}: ${(error as Error).message}`, {
          code: 'system/download-failed',
          where: release.url,
          hint: `On a machine with network access, download ${release.url} and put it at ${tarball} (Nerves' download dir, NERVES_DL_DIR), or unpack it as ${dir}; NBPR verifies and unpacks it from there.${isFile(partialName(tarball)) ? ' Running again resumes the transfer.' : ''}`,
        });
      }
    }
    const sha256 = await sha256OfFile(tarball);
    try {
      const how = await verifyOrRecord(readSourcesLock(input.lockFile), release.file, sha256, release.pin);
      if (how === 'recorded') progress(`${release.file}: sha256 ${sha256} recorded in ${basename(input.lockFile)}`);
    } catch (error) {
      await rm(tarball, { force: true });
      throw error;
    }
    await unpackSystem(tarball, dir, source.checksum);
    progress(`${input.id} unpacked into ${dir}`);
    return dir;
  });
}

async function findRelease(app: string, version: string, source: SystemSource, dlDir: string, env: NodeJS.ProcessEnv): Promise<Release> {
  const id = `${app}@${version}`;
  const sha256Pin = source.sha256 ? { sha256: source.sha256, by: `nx.json systems["${id}"].sha256 says` } : undefined;
  if (source.url) return { file: basename(new URL(source.url).pathname), url: source.url, pin: sha256Pin };
  const repo = source.github ?? `nerves-project/${app}`;
  const tag = `v${version}`;
  const named = source.checksum ? systemDownloadName(app, version, source.checksum) : undefined;
  if (named && sha256Pin) return { file: named, url: releaseDownloadUrl(repo, tag, named, env), pin: sha256Pin };
  // The release's listing names the file (without the checksum) and gives GitHub's digest of it.
  let assets: ReleaseAsset[] | undefined;
  let unlisted = '';
  try {
    assets = await releaseAssets(repo, tag, env);
  } catch (error) {
    unlisted = (error as Error).message;
  }
  if (!assets) {
    // Offline: the file is verified against the lock file alone (recorded on first use).
    const downloaded = named ? [named] : readdirSync(dlDir).filter((f) => isSystemDownloadName(app, version, f));
    if (downloaded.length === 1) return { file: downloaded[0], url: releaseDownloadUrl(repo, tag, downloaded[0], env) };
    throw new NbprError(`cannot list the release ${tag} of ${repo} to find Nerves system ${id}: ${unlisted}`, {
      code: 'system/release-unlisted',
      where: releasePageUrl(repo, tag, env),
      hint: `Download its ${systemArtefactName(app, version)}-<checksum>.tar.gz from that page into ${dlDir} (Nerves' download dir), or give the checksum (mix nerves.artifact.details ${app}) in nx.json systems["${id}"].checksum.`,
    });
  }
  const asset = assets.find((a) => (named ? a.name === named : isSystemDownloadName(app, version, a.name)));
  if (!asset) {
    throw new NbprError(`the release ${tag} of ${repo} has no ${named ?? `${systemArtefactName(app, version)}-<checksum>.tar.gz`} (assets: ${assets.map((a) => a.name).join(', ') || 'none'})`, {
      code: 'system/release-asset-missing',
      where: releasePageUrl(repo, tag, env),
      hint: named
        ? `nx.json systems["${id}"].checksum names a file the release does not have: check it (mix nerves.artifact.details ${app}), or remove it to take the release's own.`
        : `Check the system's name and version, or name its repository in nx.json systems["${id}"].github, or give a url and sha256 there.`,
    });
  }
  const digestPin = asset.digest ? { sha256: asset.digest.slice('sha256:'.length), by: `GitHub's digest of the release asset is` } : undefined;
  return { file: asset.name, url: releaseDownloadUrl(repo, tag, asset.name, env), pin: sha256Pin ?? digestPin };
}

/** Unpacks as Nerves.Artifact.Cache.put does, checked to be a system before it takes the name. */
async function unpackSystem(tarball: string, dir: string, checksum: string | undefined): Promise<void> {
  await unpackAtomically(tarball, dir, async (temp) => {
    try {
      readSystem(temp);
    } catch (error) {
      await rm(tarball, { force: true });
      throw new NbprError(`${basename(tarball)} is not a Nerves system artefact: ${(error as Error).message}`, { code: 'system/not-an-artefact', where: tarball, hint: 'NBPR deleted it. Check the URL or release nx.json names for the system.' });
    }
    // Nerves trusts an unpacked artefact whose CHECKSUM matches its own computation; only the full checksum can.
    if (checksum && checksum.length === 64) writeFileSync(join(temp, 'CHECKSUM'), checksum.toUpperCase());
  });
}
