import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { NbprError, pluginEntry, PLUGIN_NAME } from '@nbpr/model';
import { withNbprErrors } from '../generator-errors';

export interface InitGeneratorOptions {
  defaultSystem?: string;
  catalogue?: string;
  registry?: string;
}

/**
 * `nx g @nbpr/nx-plugin:init`: registers the plugin in nx.json with a default system and the
 * installed catalogue (@nbpr/catalogue by default). An existing entry keeps its options; the
 * catalogue is added to its list when missing. Running it again changes nothing.
 */
export default async function initGenerator(tree: Tree, options: InitGeneratorOptions): Promise<void> {
  await withNbprErrors(() => {
    const nxJson = readNxJson(tree) ?? {};
    const plugins = [...(nxJson.plugins ?? [])];
    const catalogue = options.catalogue ?? '@nbpr/catalogue';
    const entry = pluginEntry(plugins);
    if (!entry) {
      if (!options.defaultSystem) throw new NbprError('no default system for the workspace', { code: 'scaffold/no-system', hint: 'Pass --defaultSystem=<app>@<version>, e.g. nerves_system_rpi4@2.0.4.' });
      plugins.push({ plugin: PLUGIN_NAME, options: { defaultSystem: options.defaultSystem, catalogues: [catalogue], ...(options.registry ? { registry: options.registry } : {}) } });
    } else {
      const current = (entry.options ?? {}) as { catalogues?: string[] };
      if ((current.catalogues ?? []).includes(catalogue)) return;
      plugins[entry.index] = { plugin: PLUGIN_NAME, options: { ...current, catalogues: [...(current.catalogues ?? []), catalogue] } };
    }
    updateNxJson(tree, { ...nxJson, plugins });
  });
}
