import { existsSync, readFileSync } from 'node:fs';
import { activeSystemId, Catalogue, firmwareSkipReason, loadFirmwareProfile, projectKind, type FirmwareProfile, type NervesSystem, type PluginOptions } from '@nbpr/model';
import { loadSystem } from '@nbpr/nerves-artifacts';
import { RESOLVED_SCHEMA_VERSION, resolveProject, type ResolvedDocument } from '@nbpr/resolve';
import type { FetchedPackage } from '@nbpr/sites';
import { trustPolicy, type TrustPolicy } from '@nbpr/trust';
import type { ProjectInput } from './project-input';

/**
 * One project of a run (a package or a firmware profile) loaded once: its catalogue, firmware
 * profile, system and resolution, and whether it applies to the active system at all, worked
 * out once and shared by every stage that runs in the process (the batch executor and the CLI
 * run all of them in one). A stage run as a task of its own reads what the stage before it
 * wrote instead (resolved.json), as Nx guarantees that stage ran, or was restored, first.
 */
export class ProjectSession {
  readonly workspaceRoot: string;
  readonly file: string;
  readonly packageFiles: string[];
  readonly options: PluginOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly kind: 'package' | 'firmware';
  private readonly shared: RunLoads;
  private firmwareCache?: FirmwareProfile;
  private resolution?: Promise<ResolvedDocument>;
  /** What fetch-or-build obtained in this process, for the stages after it. */
  artefacts?: FetchedPackage[];

  /** `shared`: what the projects of one run load alike (the catalogue, the systems), loaded once for all of them. */
  constructor(input: Omit<ProjectInput, 'log'>, shared: RunLoads = new RunLoads()) {
    this.shared = shared;
    this.workspaceRoot = input.workspaceRoot;
    this.file = input.file;
    this.packageFiles = input.packageFiles;
    this.options = input.pluginOptions;
    this.env = input.env ?? process.env;
    this.kind = projectKind(input.file);
  }

  get catalogue(): Catalogue {
    return (this.shared.catalogue ??= Catalogue.load(this.packageFiles, this.workspaceRoot));
  }

  /** nx.json's trust policy, its keys read once per run. */
  get trust(): TrustPolicy {
    return (this.shared.trust ??= trustPolicy(this.options.trust, this.workspaceRoot));
  }

  /** The firmware profile, for a firmware project. */
  get firmware(): FirmwareProfile | undefined {
    if (this.kind !== 'firmware') return undefined;
    return (this.firmwareCache ??= loadFirmwareProfile(this.file, this.workspaceRoot));
  }

  /** The system the project is for: a firmware's own, else the active one. */
  get systemId(): string {
    return this.firmware?.metadata.system ?? activeSystemId(this.options, this.env);
  }

  /** Why the whole project does not apply to this run (a firmware for another system than NBPR_SYSTEM), if so. */
  get skipReason(): string | undefined {
    return this.firmware && firmwareSkipReason(this.firmware, this.options, this.env);
  }

  system(id = this.systemId): Promise<NervesSystem> {
    let system = this.shared.systems.get(id);
    if (!system) this.shared.systems.set(id, (system = loadSystem(id, this.options, this.workspaceRoot, this.env)));
    return system;
  }

  /**
   * The resolution: resolved.json when resolve wrote it for this system (a task of its own
   * before this one), else resolved here, once.
   */
  resolved(resolvedFile?: string): Promise<ResolvedDocument> {
    return (this.resolution ??= (async () => {
      const written = resolvedFile ? readResolved(resolvedFile) : undefined;
      if (written && written.system.id === this.systemId && written.system.config === (await this.system()).configSha256 && written.skipped === this.skipReason) return written;
      return resolveProject({
        workspaceRoot: this.workspaceRoot,
        file: this.file,
        packageFiles: this.packageFiles,
        pluginOptions: this.options,
        env: this.env,
        loaded: { catalogue: this.catalogue, firmware: this.firmware, system: (id) => this.system(id) },
      });
    })());
  }
}

/** What every project of one run of one workspace loads alike. */
export class RunLoads {
  catalogue?: Catalogue;
  trust?: TrustPolicy;
  readonly systems = new Map<string, Promise<NervesSystem>>();
}

function readResolved(file: string): ResolvedDocument | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const document = JSON.parse(readFileSync(file, 'utf8')) as ResolvedDocument;
    return document.schemaVersion === RESOLVED_SCHEMA_VERSION ? document : undefined;
  } catch {
    return undefined;
  }
}
