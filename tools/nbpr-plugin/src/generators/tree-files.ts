import { readNxJson, visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { catalogueFiles, FIRMWARE_FILE, isProjectFile, PACKAGE_FILE, pluginEntry } from '@nbpr/model';
import type { FileMap } from '@nbpr/scaffold';

/** Names of the workspace's packages (the directories of its nbpr.json files), and those of the catalogues nx.json installs. */
export function packageNames(tree: Tree): string[] {
  const names: string[] = [];
  visitNotIgnoredFiles(tree, '', (file) => {
    if (file.endsWith(`/${PACKAGE_FILE}`) && isProjectFile(file)) names.push(file.split('/').slice(-2, -1)[0]);
  });
  const options = pluginEntry(readNxJson(tree)?.plugins)?.options as { catalogues?: string[] } | undefined;
  for (const file of catalogueFiles(options?.catalogues, tree.root)) names.push(file.split('/').slice(-2, -1)[0]);
  return names;
}

export function firmwareNames(tree: Tree): string[] {
  const names: string[] = [];
  visitNotIgnoredFiles(tree, '', (file) => {
    if (file.endsWith(FIRMWARE_FILE) && isProjectFile(file)) names.push((JSON.parse(tree.read(file, 'utf-8') ?? '{}') as { name?: string }).name ?? '');
  });
  return names;
}

/** Writes through Nx's Tree, so --dry-run shows the files instead of writing them. */
export function writeFiles(tree: Tree, files: FileMap): void {
  for (const [path, file] of Object.entries(files)) tree.write(path, file.content, file.mode ? { mode: file.mode } : undefined);
}
