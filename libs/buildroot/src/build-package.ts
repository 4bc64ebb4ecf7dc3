import { readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packArtefact, type PackResult } from '@nbpr/artefact';
import type { KeyDocument } from '@nbpr/key';
import { artifactDirs, NbprError, parseDotConfig, quoteKconfigString, renderDotConfigFragment, unquoteKconfigString, withLockFile, type NervesSystem, type PackageManifest } from '@nbpr/model';
import type { Backend } from './backend';
import { buildFacts } from './build-facts';
import { checkRequestedSymbols } from './check-config';
import { fixRpath } from './fix-rpath';
import { filesList, harvest } from './harvest';
import { legalSlice } from './legal-slice';
import { toolchainDownload } from '@nbpr/nerves-artifacts';
import { downloadDir, seedToolchain } from './nerves-toolchain';
import { parseFacts, writeFactsExternal } from './package-facts';
import { elapsed, runMake, type MakeContext } from './run-make';
import { stripSettings, stripTree } from './strip';

export interface SourceBuildInput {
  manifest: PackageManifest;
  system: NervesSystem;
  /** The resolved package: its key document holds the build section and the options. */
  resolved: { name: string; version: string; key: string; keyDocument: KeyDocument; kconfig: Record<string, string> };
  /** The Buildroot tree (locateBuildroot). */
  tree: string;
  backend: Backend;
  /** The build area (buildRootFor); builds go to a fixed path below it per (system, Buildroot version). */
  buildRoot: string;
  /** nerves_system_br's BR2_EXTERNAL tree: needed whenever the system's .config refers to it. */
  nervesSystemBr?: string;
  /** The environment: Nerves' directories (NERVES_BR_DL_DIR, NERVES_DL_DIR, NERVES_TOOLCHAIN, NERVES_ARTIFACTS_DIR), NBPR_BR2_PRIMARY_SITE, and what make runs with. Default process.env. */
  env?: NodeJS.ProcessEnv;
  progress: (line: string) => void;
}

export interface SourceBuildResult extends PackResult {
  file: string;
  logFile: string;
  /** Wall time of the whole build, and of the make calls in it: the rest is NBPR's overhead. */
  seconds: { total: number; make: number };
}

/** Within 2020-2030, derived from the key: the same key always builds with the same clock. */
export function sourceDateEpoch(key: string): number {
  return 1577836800 + (Number.parseInt(key.slice(0, 8), 16) % 315360000);
}

/**
 * Where builds happen: NBPR_BUILD_ROOT, else /var/tmp/nbpr. Build paths end up in binaries
 * and in legal-info, so a source build is byte-identical to the prebuilt only when it ran at
 * the same absolute path: one that depends on neither the user nor the machine.
 */
export function buildRootFor(env: NodeJS.ProcessEnv = process.env): string {
  return env.NBPR_BUILD_ROOT || '/var/tmp/nbpr';
}

/** The fixed output path of every build for one (system, Buildroot version). */
export function buildDir(buildRoot: string, system: NervesSystem): string {
  return join(buildRoot, `${system.app}-${system.version}-br${system.buildrootVersion}`);
}

/**
 * Builds one NBPR package from source with Buildroot against the system, as DESIGN.md
 * "Source-build fallback" says, and packs it: the result is the artefact a prebuilt would be.
 */
export async function buildFromSource(input: SourceBuildInput): Promise<SourceBuildResult> {
  const work = buildDir(input.buildRoot, input.system);
  await mkdir(work, { recursive: true });
  // One build at a time in one output directory: Buildroot's O= is not shareable.
  return withLockFile(join(work, '.lock'), () => build(input, work));
}

async function build(input: SourceBuildInput, work: string): Promise<SourceBuildResult> {
  const { manifest, system, resolved } = input;
  const startedAt = Date.now();
  const outDir = join(work, 'output');
  const logFile = join(work, `${resolved.name}.log`);
  writeFileSync(logFile, '');
  const packages = resolved.keyDocument.build.packages;
  const { externals, goals } = await externalTrees(input, work, packages);
  // nerves_system_br's Config.in reads NERVES_DEFCONFIG_DIR from the environment and sources
  // its Config.in; a package build needs none of the system's board files, only a defined,
  // machine-independent directory with a Config.in.
  const defconfigDir = join(work, 'nerves-defconfig-dir');
  await mkdir(defconfigDir, { recursive: true });
  writeFileSync(join(defconfigDir, 'Config.in'), "# NBPR: the system's own Config.in is not needed to build a package\n");
  const env = input.env ?? process.env;
  const dlDir = downloadDir(env);
  await mkdir(dlDir, { recursive: true });
  const seeded = await seedToolchain(system.config, dlDir, artifactDirs(env, env.HOME || homedir()), env);
  const toolchain = toolchainDownload(system.config);
  if (seeded) input.progress(`[0:00] ${seeded}`);
  else if (toolchain) input.progress(`[0:00] toolchain ${toolchain.file} is not on this machine (Nerves' download or artifacts dir): Buildroot downloads it from ${toolchain.url}`);

  const epoch = sourceDateEpoch(resolved.key);
  let makeSeconds = 0;
  const make = async (args: string[]) => {
    const start = process.hrtime.bigint();
    try {
      return await runMake(context, args, startedAt);
    } finally {
      makeSeconds += Number(process.hrtime.bigint() - start) / 1e9;
    }
  };
  const context: MakeContext = {
    backend: input.backend,
    tree: input.tree,
    outDir,
    mounts: [...externals, defconfigDir, dlDir],
    logFile,
    env: { ...(env as Record<string, string>), SOURCE_DATE_EPOCH: String(epoch), BR2_DL_DIR: dlDir, NERVES_DEFCONFIG_DIR: defconfigDir, TERM: 'dumb' },
    progress: input.progress,
  };
  const requested = { BR2_PER_PACKAGE_DIRECTORIES: 'y', BR2_REPRODUCIBLE: 'y', ...resolved.kconfig };
  const sources = { BR2_PRIMARY_SITE: quoteKconfigString(primarySite(env)) };
  const defconfig = join(work, 'nbpr_defconfig');
  writeFileSync(defconfig, readFileSync(join(system.dir, '.config'), 'utf8') + '\n# NBPR\n' + renderDotConfigFragment({ ...requested, ...sources }));
  // A fresh output directory each time: no state of an earlier build (another package's
  // options, a dependency built differently) can leak in, and no dirclean pass is needed.
  await rm(outDir, { recursive: true, force: true });
  const external = externals.length ? [`BR2_EXTERNAL=${externals.join(':')}`] : [];
  input.progress(`[0:00] configuring ${resolved.name} for ${system.id} with Buildroot ${system.buildrootVersion}`);
  await make([...external, `BR2_DEFCONFIG=${defconfig}`, 'defconfig']);
  const dotConfig = join(outDir, '.config');
  checkRequestedSymbols(dotConfig, requested, [input.tree, ...externals], resolved.name);

  // The one build pass: the packages' facts first (printed before anything is built), then the
  // packages, then their legal-info.
  const output = await make([...goals, ...packages, ...packages.map((p) => `${p}-legal-info`)]);
  const known = parseFacts(output, packages, input.tree);

  const artefactDir = join(work, 'artefact', resolved.name);
  await rm(artefactDir, { recursive: true, force: true });
  const config = parseDotConfig(readFileSync(dotConfig, 'utf8'), dotConfig).symbols;
  const closure = new Set<string>();
  for (const pkg of packages) {
    const f = known.get(pkg)!;
    for (const dep of [...f.closure, pkg]) closure.add(dep);
    const targetFiles = await harvest(filesList(join(f.buildDir, '.files-list.txt'), pkg), f.targetDir, join(artefactDir, 'target'), pkg, false, config);
    if (manifest.metadata.exposeStaging) {
      await harvest(filesList(join(f.buildDir, '.files-list-staging.txt'), pkg), f.stagingDir, join(artefactDir, 'staging'), pkg, true);
    }
    // target-finalize, for this package's files: strip, then fix-rpath.
    await stripTree(join(artefactDir, 'target'), targetFiles, stripSettings(config, f.stripCommand));
    for (const file of targetFiles) {
      if (!file.path.startsWith('lib/firmware/')) await fixRpath(join(artefactDir, 'target', file.path), file.path, { rootDir: f.targetDir, perPackageDir: f.perPackageDir, hostDir: f.globalHostDir });
    }
  }
  await mkdir(join(artefactDir, 'target'), { recursive: true });
  await legalSlice(join(outDir, 'legal-info'), packages, join(artefactDir, 'legal-info'));
  const file = join(work, `${resolved.name}-${resolved.key.slice(0, 16)}.tar.gz`);
  const packed = await packArtefact({
    sourceDir: artefactDir,
    keyDocument: resolved.keyDocument,
    build: buildFacts([...closure], [input.tree, ...externals], config),
    outFile: file,
    mtime: epoch,
  });
  const total = (Date.now() - startedAt) / 1000;
  input.progress(`[${elapsed(startedAt)}] built ${resolved.name} ${resolved.version}: ${packed.diffId.slice(0, 19)}… in ${total.toFixed(1)} s (make ${makeSeconds.toFixed(1)} s, NBPR ${(total - makeSeconds).toFixed(1)} s)`);
  return { ...packed, file, logFile, seconds: { total, make: makeSeconds } };
}

/**
 * The BR2_EXTERNAL trees of a build, each at a fixed path under the build area (Buildroot
 * records package sites in legal-info): the package's own tree, nerves_system_br when the
 * system's .config refers to it, and NBPR's facts tree with its goals.
 */
async function externalTrees(input: SourceBuildInput, work: string, packages: string[]): Promise<{ externals: string[]; goals: string[] }> {
  const { manifest, system, resolved } = input;
  const externals: string[] = [];
  if (manifest.externalTree) externals.push(await copyToFixedPath(manifest.externalTree, join(work, 'br2-external', resolved.name)));
  if (usesNervesSystemBr(system.config)) {
    if (!input.nervesSystemBr) {
      throw new NbprError(`${system.id} was built with nerves_system_br ${system.nervesSystemBrVersion} as BR2_EXTERNAL, and its .config refers to it`, {
        code: 'buildroot/needs-nerves-system-br',
        where: join(system.dir, '.config'),
        hint: `Point NBPR_NERVES_SYSTEM_BR_DIR at nerves_system_br ${system.nervesSystemBrVersion} (a checkout of github.com/nerves-project/nerves_system_br at ${system.nervesSystemBrVersion}).`,
      });
    }
    externals.push(await copyToFixedPath(input.nervesSystemBr, join(work, 'br2-external', 'nerves_system_br')));
  }
  // Beside the package trees, not among them: a package may be named anything.
  const facts = join(work, 'nbpr-facts-external');
  await rm(facts, { recursive: true, force: true });
  const { goals } = await writeFactsExternal(facts, packages);
  externals.push(facts);
  return { externals, goals };
}

/** Whether a system's .config names nerves_system_br's tree (every Nerves system's does). */
export function usesNervesSystemBr(config: Map<string, string>): boolean {
  if (/(^|\s)NERVES(\s|$)/.test(unquoteKconfigString(config.get('BR2_EXTERNAL_NAMES') ?? ''))) return true;
  for (const value of config.values()) if (value.includes('BR2_EXTERNAL_NERVES_PATH')) return true;
  return false;
}

/** Buildroot's source mirror, tried before each package's own site (NBPR_BR2_PRIMARY_SITE overrides it, e.g. for a local mirror). */
export function primarySite(env: NodeJS.ProcessEnv): string {
  return env.NBPR_BR2_PRIMARY_SITE || 'https://sources.buildroot.net';
}

async function copyToFixedPath(from: string, to: string): Promise<string> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => !/(^|\/)\.git(\/|$)/.test(src.slice(from.length)) });
  return to;
}
