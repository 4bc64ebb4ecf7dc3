import { ArtefactStore } from '@nbpr/artefact';
import { join } from 'node:path';
import { buildFromSource, buildRootFor, chooseBackend, obtainBuildroot, usesNervesSystemBr, type Backend, type BuildrootTrees } from '@nbpr/buildroot';
import { Catalogue, projectRegistry, writeJsonAtomic, type NervesSystem } from '@nbpr/model';
import { loadSystem, obtainToolchain, SOURCES_LOCK_FILE } from '@nbpr/nerves-artifacts';
import { resolveProject, type ResolvedPackage } from '@nbpr/resolve';
import { fetchSelection, publishStored, siteFor, workspaceSites, type FetchedPackage } from '@nbpr/sites';
import type { ProjectInput } from './project-input';

export interface FetchOrBuildInput extends ProjectInput {
  /** Where to record what was fetched (fetched.json). */
  outputFile: string;
}

/**
 * fetch-or-build: every resolved package of the project from the local store, else a site,
 * else built from source with Buildroot (and published back when publishAfterBuild says so).
 */
export async function fetchOrBuild(input: FetchOrBuildInput): Promise<FetchedPackage[]> {
  const env = input.env ?? process.env;
  const { workspaceRoot, pluginOptions: options } = input;
  const resolved = await resolveProject({ workspaceRoot, file: input.file, packageFiles: input.packageFiles, pluginOptions: options, env });
  const store = ArtefactStore.open(env);
  const byName = new Map(resolved.packages.filter((p): p is ResolvedPackage => p.status === 'resolved').map((p) => [p.name, p]));
  // What every source build of the run needs, obtained once, on the first miss (Buildroot may be downloaded).
  let setup: Promise<{ system: NervesSystem; trees: BuildrootTrees; backend: Backend }> | undefined;
  const sourceBuildSetup = () =>
    (setup ??= (async () => {
      const system = await loadSystem(resolved.system.id, options, workspaceRoot, env);
      const lockFile = join(workspaceRoot, SOURCES_LOCK_FILE);
      const trees = await obtainBuildroot({ system, needsNervesSystemBr: usesNervesSystemBr(system.config), lockFile, env, progress: input.log });
      const toolchain = await obtainToolchain({ config: system.config, lockFile, env, progress: input.log });
      if (toolchain) input.log(toolchain);
      return { system, trees, backend: await chooseBackend(system.nervesSystemBrVersion, env) };
    })());
  const buildMissing = async (pkg: { name: string }) => {
    const { system, trees, backend } = await sourceBuildSetup();
    const package_ = byName.get(pkg.name)!;
    const built = await buildFromSource({
      manifest: catalogue.get(pkg.name),
      system,
      resolved: package_,
      tree: trees.tree,
      backend,
      buildRoot: buildRootFor(env),
      nervesSystemBr: trees.nervesSystemBr,
      env,
      progress: input.log,
    });
    const tree = await store.addBuilt({ key: package_.key, tag: package_.tag, file: built.file, digest: built.digest, diffId: built.diffId, size: built.size });
    const registry = projectRegistry(options, env);
    if (options.publishAfterBuild && registry) {
      const only = { ...resolved, packages: [package_] };
      for (const line of await publishStored(only, siteFor(registry, workspaceRoot), store)) input.log(line);
    }
    return { source: 'source build', tree };
  };
  const catalogue = Catalogue.load(input.packageFiles, workspaceRoot);
  const sitesOf = (name: string) => workspaceSites(options, workspaceRoot, {}, catalogue.get(name).metadata.sites);
  const fetched = await fetchSelection(resolved, sitesOf, store, input.log, undefined, buildMissing);
  await writeJsonAtomic(input.outputFile, { schemaVersion: 1, system: resolved.system.id, packages: fetched });
  return fetched;
}
