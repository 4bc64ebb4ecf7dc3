import { posix } from 'node:path';
import { readNxJson, type Tree } from '@nx/devkit';
import { checkKnownPackages, firmwareFiles, wireMixExs, wireTargetConfig } from '@nbpr/scaffold';
import { NbprError, pluginEntry } from '@nbpr/model';
import { withNbprErrors } from '../generator-errors';
import { packageNames } from '../tree-files';

export interface NervesAppGeneratorOptions {
  /** The Mix project's directory, relative to the workspace. */
  project: string;
  /** The firmware profile's name (default: the project directory's name). */
  firmware?: string;
  system?: string;
  packages?: string[];
}

/**
 * `nx g @nbpr/nx-plugin:nerves-app <dir>`: a firmware profile next to the Nerves app's mix.exs,
 * and the app wired to it: nbpr_runtime among its deps, `deps.get` and `compile` (so
 * `mix firmware`) staging it first, the staged rootfs_overlay in config/target.exs. Changes
 * nothing the user wrote; running it again changes nothing.
 */
export default async function nervesAppGenerator(tree: Tree, options: NervesAppGeneratorOptions): Promise<void> {
  await withNbprErrors(() => {
    const project = posix.normalize(options.project).replace(/\/+$/, '');
    const mixExs = posix.join(project, 'mix.exs');
    const source = tree.read(mixExs, 'utf-8');
    if (source === null) throw new NbprError('no mix.exs there', { code: 'scaffold/no-mix-exs', where: project, hint: 'Pass the directory of your Nerves app (mix nerves.new creates one).' });
    const firmware = options.firmware ?? posix.basename(project);
    const profile = posix.join(project, 'nbpr.firmware.json');
    if (!tree.exists(profile)) {
      const system = options.system ?? (pluginEntry(readNxJson(tree)?.plugins)?.options as { defaultSystem?: string } | undefined)?.defaultSystem;
      if (!system) throw new NbprError('no system for the firmware', { code: 'scaffold/no-system', hint: 'Pass --system=<app>@<version>, or run nx g @nbpr/nx-plugin:init first.' });
      checkKnownPackages(options.packages ?? [], packageNames(tree));
      for (const [path, { content }] of Object.entries(firmwareFiles(firmware, project, system, options.packages ?? [], tree.exists('libs/model/schemas') ? 'libs/model' : 'node_modules/@nbpr/model'))) tree.write(path, content);
    }
    const up = project.split('/').map(() => '..').join('/');
    tree.write(mixExs, wireMixExs(source, { firmware, runtimePath: `${up}/dist/${project}/nbpr_runtime`, workspacePath: up }));
    const target = posix.join(project, 'config', 'target.exs');
    const config = tree.read(target, 'utf-8');
    if (config !== null) {
      const wired = wireTargetConfig(config, `${up}/dist/${project}/nbpr_runtime/rootfs_overlay`);
      if (wired.text !== config) tree.write(target, wired.text);
      if (wired.note) console.log(wired.note);
    }
  });
}

