import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { NbprError, type NervesSystem } from '@nbpr/model';
import { downloadFirst, nervesDataHome, readSourcesLock, sha256OfFile, unpackAtomically, verifyOrRecord } from '@nbpr/nerves-artifacts';
import { treeVersion } from './tree-version';

/**
 * sha256 of official buildroot-<version>.tar.gz releases that NBPR knows. Versions missing here
 * are verified against the workspace's lock file (recorded on first download).
 */
export const PINNED_BUILDROOT_TARBALLS: Record<string, string> = {};

/** Where Buildroot releases are downloaded from, in order: the official site, then Nerves' mirror (as nerves_system_br's download-buildroot.sh). */
export const BUILDROOT_SITES = ['https://buildroot.org/downloads', 'http://dl.nerves-project.org'];
/** nerves_system_br's tagged source archives. */
export const NERVES_SYSTEM_BR_SITES = ['https://github.com/nerves-project/nerves_system_br/archive/refs/tags'];

/** NBPR's area in Nerves' data dir: `$XDG_DATA_HOME/nerves/nbpr` or `~/.nerves/nbpr`. */
export function nervesDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(nervesDataHome(env), 'nbpr');
}


export interface BuildrootTrees {
  /** The Buildroot tree, patched as the system's nerves_system_br patches it. */
  tree: string;
  /** nerves_system_br at the system's version, when the system was built with it. */
  nervesSystemBr?: string;
}

export interface ObtainInput {
  system: NervesSystem;
  /** Whether the build needs nerves_system_br's tree (usesNervesSystemBr). */
  needsNervesSystemBr: boolean;
  /** The workspace's lock file recording the tarballs' sha256. */
  lockFile: string;
  env?: NodeJS.ProcessEnv;
  progress?: (line: string) => void;
}

/**
 * The Buildroot the system was built with, obtained as Nerves obtains it: the version its
 * .config names, the release tarball from Buildroot's site or Nerves' mirror, verified (NBPR's
 * pin, else the workspace lock file, recorded on first use), with nerves_system_br's
 * patches/buildroot/*.patch of the system's nerves_system_br version applied in order, cached
 * in Nerves' data dir through a temporary sibling. NBPR_BUILDROOT_DIR and
 * NBPR_NERVES_SYSTEM_BR_DIR override either. NBPR_BUILDROOT_SITES and NBPR_NERVES_SYSTEM_BR_SITES
 * (space-separated base URLs) replace the download sites, e.g. with a mirror.
 */
export async function obtainBuildroot(input: ObtainInput): Promise<BuildrootTrees> {
  const env = input.env ?? process.env;
  const { system } = input;
  const version = system.buildrootVersion;
  const progress = input.progress ?? (() => undefined);
  const nsbrVersion = system.nervesSystemBrVersion.startsWith('v') ? system.nervesSystemBrVersion : `v${system.nervesSystemBrVersion}`;
  const data = nervesDataDir(env);
  const lock = readSourcesLock(input.lockFile);

  const nervesSystemBr = async (): Promise<string> => {
    if (env.NBPR_NERVES_SYSTEM_BR_DIR) return env.NBPR_NERVES_SYSTEM_BR_DIR;
    const dir = join(data, 'nerves_system_br', `nerves_system_br-${nsbrVersion}`);
    if (existsSync(join(dir, 'external.desc'))) return dir;
    const name = `nerves_system_br-${nsbrVersion}.tar.gz`;
    const tarball = await obtainTarball(name, sites(env.NBPR_NERVES_SYSTEM_BR_SITES, NERVES_SYSTEM_BR_SITES).map((s) => `${s}/${nsbrVersion}.tar.gz`), join(data, 'dl', name), lock, undefined, progress);
    await unpackAtomically(tarball, dir);
    return dir;
  };

  if (env.NBPR_BUILDROOT_DIR) {
    const tree = env.NBPR_BUILDROOT_DIR;
    const found = treeVersion(tree);
    if (!found) throw new NbprError('not a Buildroot tree (no Makefile declaring BR2_VERSION)', { code: 'buildroot/not-a-tree', where: `NBPR_BUILDROOT_DIR=${tree}` });
    if (found !== version) throw new NbprError(`Buildroot ${found} cannot build for a system made with Buildroot ${version}`, { code: 'buildroot/version-mismatch', where: `NBPR_BUILDROOT_DIR=${tree}`, hint: `Point NBPR_BUILDROOT_DIR at a buildroot-${version} tree, or unset it and NBPR obtains that version itself: the key promises the system's Buildroot.` });
    return { tree, nervesSystemBr: input.needsNervesSystemBr ? await nervesSystemBr() : undefined };
  }

  const external = input.needsNervesSystemBr ? await nervesSystemBr() : undefined;
  const patchedBy = external ? `+nerves_system_br-${nsbrVersion}` : '';
  const tree = join(data, 'buildroot', `buildroot-${version}${patchedBy}`);
  if (treeVersion(tree) === version) return { tree, nervesSystemBr: external };

  if (external) {
    const named = readFileSync(join(external, 'create-build.sh'), 'utf8').match(/^NERVES_BR_VERSION=(\S+)/m)?.[1];
    if (named && named !== version) progress(`[0:00] note: ${system.id}'s .config names Buildroot ${version}; nerves_system_br ${nsbrVersion} names ${named}: using ${version}, the version the system was built with, with nerves_system_br's patches`);
  }
  const name = `buildroot-${version}.tar.gz`;
  const tarball = await obtainTarball(name, sites(env.NBPR_BUILDROOT_SITES, BUILDROOT_SITES).map((s) => `${s}/${name}`), join(data, 'dl', name), lock, PINNED_BUILDROOT_TARBALLS[version], progress);
  await unpackAtomically(tarball, tree, async (temp) => {
    if (!external) return;
    const dir = join(external, 'patches', 'buildroot');
    const patches = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.patch')).sort() : [];
    for (const patch of patches) {
      const result = await execa('patch', ['-p1', '-s', '--no-backup-if-mismatch', '-d', temp, '-i', join(dir, patch)], { reject: false, stdin: 'ignore' });
      if (result.exitCode !== 0) {
        throw new NbprError(`nerves_system_br ${nsbrVersion}'s ${patch} does not apply to Buildroot ${version}: ${(result.stdout + result.stderr).trim().split('\n').slice(-3).join(' / ') || `exit ${result.exitCode}`}`, {
          code: 'buildroot/patch-failed',
          where: join(dir, patch),
          hint: `The system's .config and nerves-system.tag disagree with what nerves_system_br ${nsbrVersion} supports; set NBPR_BUILDROOT_DIR to the tree the system was built with.`,
        });
      }
    }
    progress(`[0:00] Buildroot ${version} patched with nerves_system_br ${nsbrVersion}'s ${patches.length} patches`);
  });
  return { tree, nervesSystemBr: external };
}

function sites(override: string | undefined, defaults: string[]): string[] {
  return (override ? override.split(/\s+/).filter(Boolean) : defaults).map((s) => s.replace(/\/+$/, ''));
}

/** A tarball already in the data dir, or downloaded there; verified either way. */
async function obtainTarball(name: string, urls: string[], file: string, lock: ReturnType<typeof readSourcesLock>, pinned: string | undefined, progress: (line: string) => void): Promise<string> {
  let sha256: string;
  if (existsSync(file)) sha256 = await sha256OfFile(file);
  else {
    progress(`[0:00] downloading ${name}`);
    try {
      sha256 = (await downloadFirst(urls, file, name)).sha256;
    } catch (error) {
      if (error instanceof NbprError) throw new NbprError(`${error.message}; a source build needs it`, { code: error.code, where: error.where, hint: `Download ${urls[0]} (or ${urls.slice(1).join(', ') || 'a mirror'}) and put it at ${file}; or set NBPR_BUILDROOT_DIR / NBPR_NERVES_SYSTEM_BR_DIR to trees you have.` });
      throw error;
    }
  }
  try {
    const how = await verifyOrRecord(lock, name, sha256, pinned ? { sha256: pinned, by: 'NBPR pins' } : undefined);
    if (how === 'recorded') progress(`[0:00] ${name}: sha256 ${sha256} recorded in ${lock.file}`);
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return file;
}
