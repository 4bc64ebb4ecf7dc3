import { parseSystemId, targetsSystem, type Catalogue, type FirmwareProfile, type PluginOptions } from '@nbpr/model';

/** The systems CI builds and publishes for: every system nx.json lists, and the default one. */
export function ciSystems(options: PluginOptions): string[] {
  return [...new Set([options.defaultSystem, ...Object.keys(options.systems ?? {})])].sort();
}

/** One CI job: the system (NBPR_SYSTEM) and the Nx projects to run for it, comma-separated as `nx run-many -p` takes them. */
export interface CiJob {
  system: string;
  projects: string;
}

export interface CiPlanInput {
  options: PluginOptions;
  catalogue: Catalogue;
  firmware: FirmwareProfile[];
  /** The Nx projects a change affects (nx show projects --affected --json). */
  affected: string[];
}

/**
 * The CI matrix (`strategy.matrix: fromJSON(...)`): for each CI system, the affected packages
 * that target its app (or '*') and the affected firmware profiles made for it. A change reaches
 * every system a package targets and no other; systems with nothing to do get no job.
 */
export function ciPlan(input: CiPlanInput): { include: CiJob[] } {
  const affected = new Set(input.affected);
  const include: CiJob[] = [];
  for (const system of ciSystems(input.options)) {
    const { app } = parseSystemId(system);
    const packages = input.catalogue.names().filter((name) => affected.has(name) && targetsSystem(input.catalogue.get(name).metadata, app));
    const firmware = input.firmware.filter((f) => affected.has(f.metadata.name) && f.metadata.system === system).map((f) => f.metadata.name);
    const projects = [...packages, ...firmware].sort();
    if (projects.length > 0) include.push({ system, projects: projects.join(',') });
  }
  return { include };
}
