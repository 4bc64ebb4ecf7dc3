import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { packArtefact, type PackResult } from '@nbpr/artefact';
import type { KeyDocument } from '@nbpr/key';
import { parseDotConfig, renderDotConfigFragment, withLockFile, type NervesSystem, type PackageManifest } from '@nbpr/model';
import { readFileSync } from 'node:fs';
import type { Backend } from './backend';
import { buildFacts } from './build-facts';
import { checkRequestedSymbols } from './check-config';
import { filesList, harvest } from './harvest';
import { legalSlice } from './legal-slice';
import { runMake, type MakeContext } from './run-make';
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
  /** nerves_system_br's BR2_EXTERNAL tree, when the system's packages must be known too. */
  nervesSystemBr?: string;
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
  const externals: string[] = [];
  if (manifest.externalTree) {
    // A fixed path for the tree too: Buildroot records package sites in legal-info.
    const fixed = join(work, 'br2-external', resolved.name);
    await rm(fixed, { recursive: true, force: true });
    await cp(manifest.externalTree, fixed, { recursive: true });
    externals.push(fixed);
  }
  if (input.nervesSystemBr) externals.push(input.nervesSystemBr);
  else if (system.config.has('BR2_EXTERNAL_NERVES_PATH')) {
    input.progress(`[0:00] note: ${system.id} uses nerves_system_br's BR2_EXTERNAL tree; without NBPR_NERVES_SYSTEM_BR_DIR its own packages are unknown to this build (harmless unless ${resolved.name} depends on them)`);
  }
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
    mounts: externals,
    logFile,
    env: { ...(process.env as Record<string, string>), SOURCE_DATE_EPOCH: String(epoch) },
    progress: input.progress,
  };
  const requested = { BR2_PER_PACKAGE_DIRECTORIES: 'y', BR2_REPRODUCIBLE: 'y', ...resolved.kconfig };
  const defconfig = join(work, 'nbpr_defconfig');
  writeFileSync(defconfig, readFileSync(join(system.dir, '.config'), 'utf8') + '\n# NBPR\n' + renderDotConfigFragment(requested));
  const external = externals.length ? [`BR2_EXTERNAL=${externals.join(':')}`] : [];
  input.progress(`[0:00] configuring ${resolved.name} for ${system.id} with Buildroot ${system.buildrootVersion}`);
  await make([...external, `BR2_DEFCONFIG=${defconfig}`, 'defconfig']);
  await make(['olddefconfig']);
  const dotConfig = join(outDir, '.config');
  checkRequestedSymbols(dotConfig, requested, [input.tree, ...externals], resolved.name);
  const packages = resolved.keyDocument.build.packages;
  const closure = new Set<string>();
  for (const pkg of packages) {
    await make([`${pkg}-dirclean`]);
    await make([pkg]);
    const depends = await make(['-s', `${pkg}-show-recursive-depends`]);
    for (const dep of depends.trim().split(/\s+/).filter(Boolean)) closure.add(dep);
    closure.add(pkg);
  }
  await rm(join(outDir, 'legal-info'), { recursive: true, force: true });
  for (const pkg of packages) await make([`${pkg}-legal-info`]);

  const artefactDir = join(work, 'artefact', resolved.name);
  await rm(artefactDir, { recursive: true, force: true });
  const targetFiles: string[] = [];
  for (const pkg of packages) {
    const pkgBuild = packageBuildDir(outDir, pkg);
    targetFiles.push(...(await harvest(filesList(join(pkgBuild, '.files-list.txt'), pkg), join(outDir, 'per-package', pkg, 'target'), join(artefactDir, 'target'))));
    if (manifest.metadata.exposeStaging) {
      await harvest(filesList(join(pkgBuild, '.files-list-staging.txt'), pkg), join(outDir, 'per-package', pkg, 'staging'), join(artefactDir, 'staging'), true);
    }
  }
  await mkdir(join(artefactDir, 'target'), { recursive: true });
  const config = parseDotConfig(readFileSync(dotConfig, 'utf8'), dotConfig).symbols;
  await stripTree(join(artefactDir, 'target'), targetFiles, stripSettings(config, join(outDir, 'host'), system.toolchainTuple));
  await legalSlice(join(outDir, 'legal-info'), packages, join(artefactDir, 'legal-info'));
  const file = join(work, `${resolved.name}-${resolved.key.slice(0, 16)}.tar.gz`);
  const packed = await packArtefact({
    sourceDir: artefactDir,
    keyDocument: resolved.keyDocument,
    build: buildFacts([...closure], [input.tree, ...externals], config),
    outFile: file,
    mtime: epoch,
  });
  input.progress(`[${Math.round((Date.now() - startedAt) / 1000)}s] built ${resolved.name} ${resolved.version}: ${packed.diffId.slice(0, 19)}…`);
  return { ...packed, file, logFile, seconds: { total: (Date.now() - startedAt) / 1000, make: makeSeconds } };
}

/** build/<pkg>-<version>/: the one holding the package's files list. */
function packageBuildDir(outDir: string, pkg: string): string {
  const builds = join(outDir, 'build');
  const candidates = readdirSync(builds)
    .filter((d) => d.startsWith(`${pkg}-`) && /^\d|^[0-9a-f]/.test(d.slice(pkg.length + 1)) && existsSync(join(builds, d, '.files-list.txt')))
    .sort((a, b) => statSync(join(builds, b)).mtimeMs - statSync(join(builds, a)).mtimeMs);
  return join(builds, candidates[0] ?? `${pkg}-unknown`);
}
