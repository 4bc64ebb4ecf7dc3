import type { CreateDependencies, RawProjectGraphDependency } from '@nx/devkit';
// From Nx's module rather than @nx/devkit, whose index loads 100 ms of generator helpers.
import { DependencyType } from 'nx/src/config/project-graph';
import { FIRMWARE_FILE, isProjectFile, PACKAGE_FILE, parseJsonSource } from '@nbpr/model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginOptions } from '@nbpr/model';

const PLUGIN_PROJECT = '@nbpr/nx-plugin';

/**
 * package -> package edges from nbpr.json "dependencies", firmware -> package edges from the
 * profile's "packages", and every NBPR project -> the plugin (and through its package.json,
 * the libs), so that `nx affected` reaches every package when NBPR's own code changes.
 */
export const createDependencies: CreateDependencies<PluginOptions> = (_options, context) => {
  const deps: RawProjectGraphDependency[] = [];
  const byRoot = new Map(Object.entries(context.projects).map(([name, p]) => [p.root, name]));
  const known = new Set(Object.keys(context.projects));
  for (const [projectName, project] of Object.entries(context.projects)) {
    for (const [kind, field] of [[PACKAGE_FILE, 'dependencies'], [FIRMWARE_FILE, 'packages']] as const) {
      const file = project.root === '.' ? kind : `${project.root}/${kind}`;
      if (!isProjectFile(file) || !context.fileMap.projectFileMap[projectName]?.some((f) => f.file === file)) continue;
      const value = parseJsonSource(file, readFileSync(join(context.workspaceRoot, file), 'utf8')).value as Record<string, unknown>;
      for (const target of Object.keys((value[field] ?? {}) as object)) {
        if (known.has(target)) deps.push({ source: projectName, target, type: DependencyType.static, sourceFile: file });
      }
      if (known.has(PLUGIN_PROJECT) && byRoot.get(project.root) === projectName) {
        deps.push({ source: projectName, target: PLUGIN_PROJECT, type: DependencyType.implicit });
      }
    }
  }
  return deps;
};
