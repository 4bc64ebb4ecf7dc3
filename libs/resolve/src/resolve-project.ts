import { isAbsolute, relative } from 'node:path';
import { activeSystemId, Catalogue, firmwareSkipReason, loadFirmwareProfile, projectKind, systemIdentity, type FirmwareProfile, type NervesSystem, type PluginOptions } from '@nbpr/model';
import { loadSystem } from '@nbpr/nerves-artifacts';
import { resolveFirmware } from './resolve-firmware';
import { resolvePackage, type PackageResolution } from './resolve-package';

export const RESOLVED_SCHEMA_VERSION = 1 as const;

/** resolved.json: what `resolve` decided for one Nx project, read by the later pipeline stages. */
export interface ResolvedDocument {
  schemaVersion: typeof RESOLVED_SCHEMA_VERSION;
  project: string;
  kind: 'package' | 'firmware';
  system: { id: string; app: string; version: string; buildroot: string; config: string; dir: string };
  /** Set when the whole project does not apply to the active system (a firmware for another system). */
  skipped?: string;
  packages: PackageResolution[];
}

export interface ResolveProjectInput {
  workspaceRoot: string;
  /** Absolute path of the project's nbpr.json or nbpr.firmware.json. */
  file: string;
  /** Absolute paths of every nbpr.json of the workspace. */
  packageFiles: string[];
  pluginOptions: PluginOptions;
  env?: NodeJS.ProcessEnv;
  /** What the caller already loaded, so that a run loads each once. */
  loaded?: { catalogue?: Catalogue; firmware?: FirmwareProfile; system?: (id: string) => Promise<NervesSystem> };
}

export async function resolveProject(input: ResolveProjectInput): Promise<ResolvedDocument> {
  const { workspaceRoot, pluginOptions } = input;
  const env = input.env ?? process.env;
  const catalogue = input.loaded?.catalogue ?? Catalogue.load(input.packageFiles, workspaceRoot);
  const system_ = input.loaded?.system ?? ((id: string) => loadSystem(id, pluginOptions, workspaceRoot, env));
  if (projectKind(input.file) === 'firmware') {
    const firmware = input.loaded?.firmware ?? loadFirmwareProfile(input.file, workspaceRoot);
    const skipped = firmwareSkipReason(firmware, pluginOptions, env);
    const system = await system_(firmware.metadata.system);
    const base = { schemaVersion: RESOLVED_SCHEMA_VERSION, project: firmware.metadata.name, kind: 'firmware' as const, system: systemRecord(system, workspaceRoot) };
    if (skipped) return { ...base, skipped, packages: [] };
    return { ...base, packages: await resolveFirmware({ catalogue, system: systemIdentity(system), systemConfig: system.config, firmware }) };
  }
  const name = catalogue.names().find((n) => catalogue.get(n).path === input.file);
  if (!name) throw new Error(`internal: ${input.file} is not in the catalogue`);
  const system = await system_(activeSystemId(pluginOptions, env));
  return {
    schemaVersion: RESOLVED_SCHEMA_VERSION,
    project: name,
    kind: 'package',
    system: systemRecord(system, workspaceRoot),
    packages: [await resolvePackage({ catalogue, system: systemIdentity(system), systemConfig: system.config }, name)],
  };
}

/** The system's directory is recorded relative to the workspace when inside it: cached outputs travel between machines. */
function systemRecord(system: NervesSystem, workspaceRoot: string): ResolvedDocument['system'] {
  const rel = relative(workspaceRoot, system.dir);
  return { id: system.id, ...systemIdentity(system), dir: rel.startsWith('..') || isAbsolute(rel) ? system.dir : rel };
}

/** One line per package, for the console. */
export function summarize(document: ResolvedDocument): string[] {
  if (document.skipped) return [`skipped ${document.project}: ${document.skipped}`];
  return document.packages.map((p) =>
    p.status === 'skipped'
      ? `skipped ${p.name} ${p.version}: ${p.reason}`
      : `resolved ${p.name} ${p.version} for ${document.system.id}: key ${p.key.slice(0, 16)}, tag ${p.tag}`,
  );
}
