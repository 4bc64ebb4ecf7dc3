import { renderCatalogueSite, type PrebuiltStatus, type SitePackage } from '@nbpr/catalogue-site';
import { systemIdentity, type Catalogue, type NervesSystem, type PluginOptions } from '@nbpr/model';
import { loadSystem } from '@nbpr/nerves-artifacts';
import { resolvePackage } from '@nbpr/resolve';
import { workspaceSites } from '@nbpr/sites';
import { ciSystems } from './ci-plan';

export interface CatalogueSiteInput {
  workspaceRoot: string;
  catalogue: Catalogue;
  options: PluginOptions;
  outDir: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The catalogue site for the workspace's systems. For each package and system, whether a
 * prebuilt is published: resolved against the system when its artefact is on this machine and
 * looked up at the workspace's sites; unknown when the system is not here or no site answers.
 */
export async function buildCatalogueSite(input: CatalogueSiteInput): Promise<{ packages: number; systems: string[] }> {
  const env = input.env ?? process.env;
  const systems = ciSystems(input.options);
  const loaded = new Map<string, NervesSystem | string>();
  for (const id of systems) {
    try {
      loaded.set(id, await loadSystem(id, input.options, input.workspaceRoot, env, () => undefined, { obtain: false }));
    } catch {
      loaded.set(id, 'the system is not on this machine');
    }
  }
  const packages: SitePackage[] = [];
  for (const name of input.catalogue.names()) {
    const prebuilt: Record<string, PrebuiltStatus> = {};
    for (const id of systems) {
      const system = loaded.get(id)!;
      prebuilt[id] = typeof system === 'string' ? { state: 'unknown', why: system } : await lookup(input, name, system);
    }
    packages.push({ metadata: input.catalogue.get(name).metadata, prebuilt });
  }
  await renderCatalogueSite(packages, systems, input.outDir);
  return { packages: packages.length, systems };
}

async function lookup(input: CatalogueSiteInput, name: string, system: NervesSystem): Promise<PrebuiltStatus> {
  let resolved;
  try {
    resolved = await resolvePackage({ catalogue: input.catalogue, system: systemIdentity(system), systemConfig: system.config }, name);
  } catch (error) {
    return { state: 'unknown', why: (error as Error).message };
  }
  if (resolved.status === 'skipped') return { state: 'not-targeted' };
  let answered = false;
  for (const site of workspaceSites(input.options, input.workspaceRoot, {}, input.catalogue.get(name).metadata.sites)) {
    try {
      if (await site.repository(name).resolveTag(resolved.tag)) return { state: 'published', at: site.name };
      answered = true;
    } catch {
      // an unreachable site tells nothing
    }
  }
  return answered ? { state: 'not-published' } : { state: 'unknown', why: 'no site answered' };
}
