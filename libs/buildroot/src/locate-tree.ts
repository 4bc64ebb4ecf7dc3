import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { NbprError } from '@nbpr/model';

/**
 * sha256 of the official buildroot-<version>.tar.gz releases NBPR unpacks by itself. A
 * version missing here can still be used through NBPR_BUILDROOT_DIR.
 */
export const PINNED_BUILDROOT_TARBALLS: Record<string, string> = {};

/** NBPR's build area in Nerves' data dir: `$XDG_DATA_HOME/nerves/nbpr` or `~/.nerves/nbpr`. */
export function nervesDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_DATA_HOME ? join(env.XDG_DATA_HOME, 'nerves', 'nbpr') : join(homedir(), '.nerves', 'nbpr');
}

/** The Buildroot version a tree's top Makefile declares (`export BR2_VERSION := ...`). */
export function treeVersion(tree: string): string | undefined {
  try {
    return readFileSync(join(tree, 'Makefile'), 'utf8').match(/^(?:export\s+)?BR2_VERSION\s*:?=\s*(\S+)/m)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The Buildroot tree for `version`: NBPR_BUILDROOT_DIR, else one unpacked before in the data
 * dir, else the release tarball (NBPR_BUILDROOT_TARBALL or <data>/dl/buildroot-<version>.tar.gz)
 * verified against its pinned sha256 and unpacked through a temporary sibling.
 */
export async function locateBuildroot(version: string, env: NodeJS.ProcessEnv = process.env, pins = PINNED_BUILDROOT_TARBALLS): Promise<string> {
  if (env.NBPR_BUILDROOT_DIR) {
    const tree = env.NBPR_BUILDROOT_DIR;
    const found = treeVersion(tree);
    if (!found) throw new NbprError('not a Buildroot tree (no Makefile declaring BR2_VERSION)', { where: `NBPR_BUILDROOT_DIR=${tree}` });
    if (found !== version) throw new NbprError(`Buildroot ${found} cannot build for a system made with Buildroot ${version}`, { where: `NBPR_BUILDROOT_DIR=${tree}`, hint: `Point NBPR_BUILDROOT_DIR at a buildroot-${version} tree: the key promises the system's Buildroot.` });
    return tree;
  }
  const data = nervesDataDir(env);
  const unpacked = join(data, 'buildroot', `buildroot-${version}`);
  if (treeVersion(unpacked) === version) return unpacked;
  const tarball = env.NBPR_BUILDROOT_TARBALL ?? join(data, 'dl', `buildroot-${version}.tar.gz`);
  const how = `Set NBPR_BUILDROOT_DIR to a buildroot-${version} tree, or put the release tarball at ${tarball}.`;
  if (!existsSync(tarball)) throw new NbprError(`no Buildroot ${version} tree to build from source, and this machine cannot download one`, { where: `looked at NBPR_BUILDROOT_DIR, ${unpacked}, ${tarball}`, hint: how });
  const pinned = pins[version];
  if (!pinned) throw new NbprError(`NBPR has no pinned sha256 for buildroot-${version}.tar.gz, so it does not unpack it by itself`, { where: tarball, hint: `Unpack it yourself and set NBPR_BUILDROOT_DIR.` });
  const actual = await sha256File(tarball);
  if (actual !== pinned) throw new NbprError(`buildroot-${version}.tar.gz has sha256 ${actual}, expected ${pinned}`, { where: tarball, hint: 'The download is corrupt or not the official release: fetch it again.' });
  const temp = `${unpacked}.${process.pid}.partial`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  try {
    await execa('tar', ['-xzf', tarball, '-C', temp, '--strip-components=1']);
    await rename(temp, unpacked);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return unpacked;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
