import { readNxJson, type Tree } from '@nx/devkit';
import { checkKnownPackages, checkNewName, firmwareFiles } from '@nbpr/scaffold';
import { NbprError, pluginEntry } from '@nbpr/model';
import { withNbprErrors } from '../generator-errors';
import { firmwareNames, packageNames, writeFiles } from '../tree-files';

export interface FirmwareGeneratorOptions {
  name: string;
  system?: string;
  directory?: string;
  packages?: string[];
}

export default async function firmwareGenerator(tree: Tree, options: FirmwareGeneratorOptions): Promise<void> {
  await withNbprErrors(() => {
    checkNewName(options.name, firmwareNames(tree), 'firmware');
    checkKnownPackages(options.packages ?? [], packageNames(tree));
    const plugin = pluginEntry(readNxJson(tree)?.plugins);
    const system = options.system ?? (plugin?.options as { defaultSystem?: string } | undefined)?.defaultSystem;
    if (!system) throw new NbprError('no system for the firmware', { code: 'scaffold/no-system', hint: 'Pass --system=<app>@<version>, or set defaultSystem in nx.json.' });
    writeFiles(tree, firmwareFiles(options.name, options.directory ?? `firmware/${options.name}`, system, options.packages ?? []));
  });
}
