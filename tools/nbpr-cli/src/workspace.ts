import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NbprError } from '@nbpr/model/src/errors';
import { PLUGIN_NAME, validatePluginOptions, type PluginOptions } from '@nbpr/model/src/plugin-options';
import { pluginEntry } from '@nbpr/model/src/project-files';

/** The Nx workspace around `cwd`, and the NBPR plugin options in its nx.json. */
export function findWorkspace(cwd = process.cwd(), validate = true): { root: string; options: PluginOptions } {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const nxJson = join(dir, 'nx.json');
    if (existsSync(nxJson)) {
      const plugins = (JSON.parse(readFileSync(nxJson, 'utf8')).plugins ?? []) as Array<string | { plugin: string; options?: unknown }>;
      const options = pluginEntry(plugins)?.options;
      return { root: dir, options: validate ? validatePluginOptions(options, dir) : (options as PluginOptions) };
    }
    if (dirname(dir) === dir) {
      throw new NbprError('not inside an NBPR workspace', { code: 'cli/not-a-workspace', where: cwd, hint: `Run nbpr from a directory holding (or below) an nx.json that lists ${PLUGIN_NAME}.` });
    }
  }
}
