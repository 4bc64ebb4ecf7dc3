import { readNxJson, type Tree } from '@nx/devkit';
import { checkNewName, firmwareFiles } from '@nbpr/scaffold';
import { isNbprError, NbprError, PLUGIN_NAME, suggestion } from '@nbpr/model';
import { firmwareNames, packageNames, writeFiles } from '../tree-files';

export interface FirmwareGeneratorOptions {
  name: string;
  system?: string;
  directory?: string;
  packages?: string[];
}

export default async function firmwareGenerator(tree: Tree, options: FirmwareGeneratorOptions): Promise<void> {
  try {
    checkNewName(options.name, firmwareNames(tree), 'firmware');
    const known = packageNames(tree);
    for (const pkg of options.packages ?? []) {
      if (!known.includes(pkg)) throw new NbprError(`no NBPR package named '${pkg}'${suggestion(pkg, known)}`, { hint: 'List packages of this workspace (nx show projects).' });
    }
    const plugin = readNxJson(tree)?.plugins?.find((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
    const system = options.system ?? (typeof plugin === 'object' ? (plugin.options as { defaultSystem?: string } | undefined)?.defaultSystem : undefined);
    if (!system) throw new NbprError('no system for the firmware', { hint: 'Pass --system=<app>@<version>, or set defaultSystem in nx.json.' });
    writeFiles(tree, firmwareFiles(options.name, options.directory ?? `firmware/${options.name}`, system, options.packages ?? []));
  } catch (error) {
    if (isNbprError(error)) {
      const plain = new Error(error.format());
      plain.stack = plain.message;
      throw plain;
    }
    throw error;
  }
}
