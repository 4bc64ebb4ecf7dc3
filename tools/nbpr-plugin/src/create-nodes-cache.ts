import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateNodesResult } from '@nx/devkit';
// Nx's own modules rather than @nx/devkit/internal, which loads most of Nx (80 ms) into every
// graph build for three functions that the graph build has already loaded.
import { hashObject } from 'nx/src/hasher/file-hasher';
import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';
import { hashWithWorkspaceContext } from 'nx/src/utils/workspace-context';
import { treeModeFacts } from '@nbpr/key';
import { catalogueFiles, writeJsonAtomic, type PluginOptions } from '@nbpr/model';

type Results = Array<readonly [string, CreateNodesResult]>;

/** NBPR's own code, which shapes the inferred targets: hashed with the project files. */
const PLUGIN_CODE = ['libs/*/src/**/*', 'libs/*/schemas/**/*', 'libs/*/package.json', 'tools/nbpr-plugin/**/*'];

/**
 * The inferred projects, computed once per change, as Nx's own plugins cache theirs: keyed by
 * the hash of every NBPR file and vendored tree (content from Nx's workspace context, modes and
 * symlinks from a walk Nx does not do), the installed catalogues, the options and the plugin's
 * code, and kept in Nx's workspace data directory. A failure is never cached.
 */
export async function cachedProjects(files: readonly string[], options: PluginOptions | undefined, root: string, infer: () => Results): Promise<Results> {
  const trees = files.map((f) => join(root, dirname(f), 'buildroot')).filter((d) => existsSync(d));
  let catalogued: string[] = [];
  try {
    catalogued = catalogueFiles(options?.catalogues, root);
  } catch {
    // infer() reports a missing catalogue
  }
  const hash = hashObject({
    files: [...files].sort(),
    content: await hashWithWorkspaceContext(root, [...files, ...files.map((f) => join(dirname(f), 'buildroot', '**', '*')), ...PLUGIN_CODE]),
    modes: trees.map((t) => [t, treeModeFacts(t)]),
    catalogues: catalogued.map((f) => [f, readFileSync(f, 'utf8')]),
    options: options ?? null,
    plugin: JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version,
  });
  const file = join(workspaceDataDirectory, 'nbpr-projects.json');
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { hash: string; results: Results };
    if (cached.hash === hash) return cached.results;
  } catch {
    // no cache yet, or an unreadable one: computed below
  }
  const results = infer();
  await writeJsonAtomic(file, { hash, results });
  return results;
}
