import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { NbprError } from '../errors';
import { parseDotConfig, unquoteKconfigString } from './dot-config';
import { isDirectory } from '../file-kind';
import { errnoCode, readFailure } from '../fs-failure';
import { isSystemVersion } from './system-id';

/** A nerves_system_br release (v1.34.0, as git describe may extend it): one path segment, safe in a URL and a file name. */
const NERVES_SYSTEM_BR_TAG = /^v?[0-9][0-9A-Za-z.+_-]{0,63}$/;

/** A Nerves system artefact directory, as NBPR needs it. */
export interface NervesSystem {
  dir: string;
  /** BR2_NERVES_SYSTEM_NAME, e.g. nerves_system_rpi4. */
  app: string;
  version: string;
  /** `${app}@${version}` */
  id: string;
  /** From the .config header, e.g. 2026.05.1. */
  buildrootVersion: string;
  /** nerves-system.tag: the nerves_system_br version the system was built with. */
  nervesSystemBrVersion: string;
  /** BR2_ARCH, e.g. aarch64. */
  arch: string;
  /** The toolchain's target tuple, e.g. aarch64-nerves-linux-gnu. */
  toolchainTuple: string;
  config: Map<string, string>;
  /** 'sha256:<hex>' of the .config bytes. */
  configSha256: string;
  stagingDir: string;
  legalInfoDir: string | null;
  imagesDir: string | null;
}

/** The part of a system that enters the cache key. */
export interface SystemIdentity {
  app: string;
  version: string;
  buildroot: string;
  config: string;
}

const PORTABLE_DIR = /^([a-z][a-z0-9_]*)-portable-(.+)$/;

export function readSystem(directory: string): NervesSystem {
  const dir = resolve(directory);
  const fix = 'Use the artefact directory Nerves unpacked (it holds .config, staging/, legal-info/, images/ and nerves-system.tag).';
  if (!isDirectory(dir)) throw new NbprError('Nerves system artefact directory does not exist', { code: 'system/missing-directory', where: dir, hint: fix });
  const configPath = join(dir, '.config');
  const bytes = readSystemFile(configPath, fix);
  if (!bytes) throw new NbprError('not a Nerves system artefact: no .config', { code: 'system/not-an-artefact', where: dir, hint: fix });
  const parsed = parseDotConfig(bytes.toString('utf8'), configPath);
  if (!parsed.buildrootVersion) {
    throw new NbprError("the .config header does not name a Buildroot version ('# Buildroot <version> Configuration')", { code: 'system/incomplete-config', where: configPath, hint: 'The .config must be the one Buildroot wrote for the system.' });
  }
  const config = parsed.symbols;
  const app = stringSymbol(config, 'BR2_NERVES_SYSTEM_NAME');
  if (!app) throw new NbprError('BR2_NERVES_SYSTEM_NAME is not set: this is not a Nerves system .config', { code: 'system/not-an-artefact', where: configPath, hint: fix });
  const dirMatch = basename(dir).match(PORTABLE_DIR);
  if (dirMatch && dirMatch[1] !== app) {
    throw new NbprError(`inconsistent system artefact: the directory is named for ${dirMatch[1]} but its .config is for ${app}`, { code: 'system/inconsistent-artefact', where: dir, hint: 'Unpack each system artefact into its own <app>-portable-<version> directory.' });
  }
  const versionFile = join(dir, 'VERSION');
  const version = dirMatch?.[2] ?? readSystemFile(versionFile, fix)?.toString('utf8').trim();
  if (!version || !isSystemVersion(version)) {
    throw new NbprError(version ? `VERSION holds ${JSON.stringify(version.slice(0, 80))}, not a version` : 'cannot tell the system version', { code: 'system/unknown-version', where: version ? versionFile : dir, hint: `Name the directory ${app}-portable-<version> as Nerves does, or add a VERSION file of one line such as 2.0.4.` });
  }
  const tagPath = join(dir, 'nerves-system.tag');
  const tag = readSystemFile(tagPath, fix);
  if (!tag) throw new NbprError('not a Nerves system artefact: no nerves-system.tag', { code: 'system/not-an-artefact', where: dir, hint: fix });
  const nervesSystemBrVersion = tag.toString('utf8').trim();
  // It names nerves_system_br's release to download and the file it is kept in.
  if (!NERVES_SYSTEM_BR_TAG.test(nervesSystemBrVersion)) {
    throw new NbprError(`nerves-system.tag holds ${JSON.stringify(nervesSystemBrVersion.slice(0, 80))}, not a nerves_system_br version`, { code: 'system/not-an-artefact', where: tagPath, hint: `${fix} Its nerves-system.tag is one line such as v1.34.0.` });
  }
  const stagingDir = join(dir, 'staging');
  if (!isDirectory(stagingDir)) throw new NbprError('not a Nerves system artefact: no staging/ directory', { code: 'system/not-an-artefact', where: dir, hint: fix });
  const tuple = stringSymbol(config, 'BR2_TOOLCHAIN_EXTERNAL_CUSTOM_PREFIX') ?? stringSymbol(config, 'BR2_TOOLCHAIN_EXTERNAL_PREFIX');
  const arch = stringSymbol(config, 'BR2_ARCH');
  if (!arch || !tuple) {
    throw new NbprError(`the .config does not name the ${arch ? 'toolchain tuple (BR2_TOOLCHAIN_EXTERNAL_CUSTOM_PREFIX)' : 'architecture (BR2_ARCH)'}`, { code: 'system/incomplete-config', where: configPath, hint: 'Nerves systems use an external toolchain; the .config must be the one Buildroot wrote.' });
  }
  return {
    dir,
    app,
    version,
    id: `${app}@${version}`,
    buildrootVersion: parsed.buildrootVersion,
    nervesSystemBrVersion,
    arch,
    toolchainTuple: tuple,
    config,
    configSha256: 'sha256:' + createHash('sha256').update(bytes).digest('hex'),
    stagingDir,
    legalInfoDir: isDirectory(join(dir, 'legal-info')) ? join(dir, 'legal-info') : null,
    imagesDir: isDirectory(join(dir, 'images')) ? join(dir, 'images') : null,
  };
}

export function systemIdentity(system: NervesSystem): SystemIdentity {
  return { app: system.app, version: system.version, buildroot: system.buildrootVersion, config: system.configSha256 };
}

/**
 * The bytes of a file of the system, undefined when it is not there (the caller says which
 * file an artefact must have); one that is there but cannot be read (a directory, no
 * permission) is an error naming it, checked in the same call so nothing changes in between.
 */
function readSystemFile(path: string, fix: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    const failure = readFailure(error);
    if (!failure) throw error;
    throw new NbprError(failure.what, { code: 'system/unreadable-file', where: path, hint: `${basename(path)} must be a file this user can read. ${fix}`, cause: error });
  }
}

function stringSymbol(config: Map<string, string>, symbol: string): string | undefined {
  const raw = config.get(symbol);
  return raw === undefined || raw === 'n' ? undefined : unquoteKconfigString(raw) || undefined;
}
