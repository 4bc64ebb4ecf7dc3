import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { NbprError } from './errors';
import { FIRMWARE_FILE } from './firmware-profile';
import { PACKAGE_FILE } from './package-manifest';
import { PLUGIN_NAME } from './plugin-options';

/** What an NBPR project file is: a package (nbpr.json) or a firmware profile (nbpr.firmware.json). */
export function projectKind(file: string): 'package' | 'firmware' {
  return file.endsWith(FIRMWARE_FILE) ? 'firmware' : 'package';
}

/** Directories whose NBPR files are copies, not projects: installed modules, build output, Nx's data, test fixtures, VCS. */
const NOT_PROJECTS = new Set(['node_modules', 'dist', '.nx', 'fixtures', '.git']);

/** Whether a workspace-relative path is an NBPR project file (not a copy under dist/, node_modules/, fixtures/...). */
export function isProjectFile(file: string): boolean {
  const parts = file.split('/');
  const name = parts[parts.length - 1];
  return (name === PACKAGE_FILE || name === FIRMWARE_FILE) && !parts.slice(0, -1).some((p) => NOT_PROJECTS.has(p));
}

/** Whether a directory name is never searched for projects. */
export function isSkippedDirectory(name: string): boolean {
  return NOT_PROJECTS.has(name);
}

/** The @nbpr/nx-plugin entry of an nx.json's `plugins`, and its options. */
export function pluginEntry(plugins: ReadonlyArray<string | { plugin: string; options?: unknown }> | undefined): { index: number; options: unknown } | undefined {
  const index = (plugins ?? []).findIndex((p) => (typeof p === 'string' ? p : p?.plugin) === PLUGIN_NAME);
  if (index < 0) return undefined;
  const entry = plugins![index];
  return { index, options: typeof entry === 'object' ? entry.options : undefined };
}

/**
 * The nbpr.json files of the catalogues nx.json's `catalogues` names (npm packages resolved
 * from the workspace root, or directories relative to it): one package per directory.
 */
export function catalogueFiles(catalogues: string[] | undefined, workspaceRoot: string): string[] {
  return (catalogues ?? []).flatMap((entry, i) => {
    const dir = catalogueDir(entry, workspaceRoot, i);
    return readdirSync(dir)
      .map((name) => join(dir, name, PACKAGE_FILE))
      .filter((file) => existsSync(file))
      .sort();
  });
}

function catalogueDir(entry: string, workspaceRoot: string, index: number): string {
  if (entry.startsWith('.') || isAbsolute(entry)) {
    const dir = resolve(workspaceRoot, entry);
    if (existsSync(dir)) return dir;
  } else {
    try {
      return dirname(require.resolve(`${entry}/package.json`, { paths: [workspaceRoot] }));
    } catch {
      // reported below
    }
  }
  throw new NbprError(`catalogue ${entry} is not installed`, {
    code: 'catalogue/not-installed',
    where: `nx.json /plugins/…/options/catalogues/${index} (${PLUGIN_NAME})`,
    hint: entry.startsWith('.') || isAbsolute(entry) ? 'Point it at a directory holding <package>/nbpr.json directories.' : `Install it (npm install --save-dev ${entry}), or remove it from the list.`,
  });
}
