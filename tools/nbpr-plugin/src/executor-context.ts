import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { catalogueFiles, FIRMWARE_FILE, isNbprError, isProjectFile, PACKAGE_FILE, readPluginOptions, type PluginOptions } from '@nbpr/model';

export interface NbprProjectContext {
  root: string;
  /** Absolute nbpr.json or nbpr.firmware.json of the project being run. */
  file: string;
  /** Absolute nbpr.json of every package project in the graph. */
  packageFiles: string[];
  pluginOptions: PluginOptions;
}

/** The workspace-wide part, worked out once per context (a batch runs many tasks with one). */
const workspaces = new WeakMap<ExecutorContext, { packageFiles: string[]; pluginOptions: PluginOptions }>();

/** What an NBPR executor needs from Nx's context for one project, taken from the project graph Nx already built. */
export function nbprProject(context: ExecutorContext, projectName: string): NbprProjectContext {
  const root = context.projectsConfigurations.projects[projectName].root;
  const file = [PACKAGE_FILE, FIRMWARE_FILE].map((f) => join(context.root, root, f)).find((f) => existsSync(f));
  if (!file) throw new Error(`project ${projectName} has neither ${PACKAGE_FILE} nor ${FIRMWARE_FILE} in ${root}`);
  let workspace = workspaces.get(context);
  if (!workspace) {
    const packageFiles = Object.values(context.projectsConfigurations.projects)
      .map((p) => join(p.root, PACKAGE_FILE))
      .filter((f) => isProjectFile(f) && existsSync(join(context.root, f)))
      .map((f) => join(context.root, f));
    const pluginOptions = readPluginOptions(context.root);
    workspace = { packageFiles: [...packageFiles, ...catalogueFiles(pluginOptions.catalogues, context.root)], pluginOptions };
    workspaces.set(context, workspace);
  }
  return { root, file, ...workspace };
}

/** A user error as NBPR formats it; anything else is a bug and keeps its stack. */
export function formatFailure(error: unknown): string {
  return isNbprError(error) ? error.format() : error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** A failure printed (formatFailure) and reported to Nx. */
export function reportFailure(error: unknown): { success: false } {
  console.error(formatFailure(error));
  return { success: false };
}
