import { openStore, SOURCE_BUILD } from '@nbpr/artefact';
import { join } from 'node:path';
import { buildFromSource, buildRootFor, chooseBackend, obtainBuildroot, usesNervesSystemBr, type Backend, type BuildrootTrees } from '@nbpr/buildroot';
import { projectRegistry, type NervesSystem } from '@nbpr/model';
import { obtainToolchain, SOURCES_LOCK_FILE } from '@nbpr/nerves-artifacts';
import type { ResolvedPackage } from '@nbpr/resolve';
import { fetchSelection, publishStored, siteFor, workspaceSites, type FetchedPackage } from '@nbpr/sites';
import { publishSigner } from '@nbpr/trust';
import type { ProjectSession } from './project-session';

/**
 * The artefacts of the project's resolved packages, in the local store: made sure of once per
 * session (a store hit when fetch-or-build just ran; a fetch when Nx restored fetch-or-build's
 * record on a machine whose store lacks them; a source build on a miss).
 */
export async function obtainArtefacts(session: ProjectSession, log: (line: string) => void, resolvedFile?: string): Promise<FetchedPackage[]> {
  if (session.artefacts) return session.artefacts;
  const env = session.env;
  const { workspaceRoot, options } = session;
  const resolved = await session.resolved(resolvedFile);
  const store = openStore(undefined, env);
  const byName = new Map(resolved.packages.filter((p): p is ResolvedPackage => p.status === 'resolved').map((p) => [p.name, p]));
  const catalogue = session.catalogue;
  // What every source build of the run needs, obtained once, on the first miss (Buildroot may be downloaded).
  let setup: Promise<{ system: NervesSystem; trees: BuildrootTrees; backend: Backend }> | undefined;
  const sourceBuildSetup = () =>
    (setup ??= (async () => {
      const system = await session.system(resolved.system.id);
      const lockFile = join(workspaceRoot, SOURCES_LOCK_FILE);
      const trees = await obtainBuildroot({ system, needsNervesSystemBr: usesNervesSystemBr(system.config), lockFile, env, progress: log });
      const toolchain = await obtainToolchain({ config: system.config, lockFile, env, progress: log });
      if (toolchain) log(toolchain);
      return { system, trees, backend: await chooseBackend(system.nervesSystemBrVersion, env) };
    })());
  // The signer of publishAfterBuild, read once (its key, git's HEAD) and only if something is built.
  let signing: ReturnType<typeof publishSigner> | undefined;
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
      progress: log,
    });
    const tree = await store.addBuilt({ key: package_.key, tag: package_.tag, file: built.file, digest: built.digest, diffId: built.diffId, size: built.size });
    const registry = projectRegistry(options, env);
    if (options.publishAfterBuild && registry) {
      const only = { ...resolved, packages: [package_] };
      if (!signing) {
        signing = publishSigner(session.trust, workspaceRoot, env);
        if (signing.warning) log(`warning: ${signing.warning}`);
      }
      for (const line of await publishStored(only, siteFor(registry, workspaceRoot), store, signing.signer)) log(line);
    }
    return { source: SOURCE_BUILD, tree };
  };
  const sitesOf = (name: string) => workspaceSites(options, workspaceRoot, {}, catalogue.get(name).metadata.sites);
  session.artefacts = await fetchSelection(resolved, sitesOf, store, log, { onMiss: buildMissing, trust: session.trust });
  return session.artefacts;
}
