import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NbprError, PLUGIN_NAME, validatePluginOptions, type PluginOptions } from '@nbpr/model';

/** The Nx workspace around `cwd`, and the NBPR plugin options in its nx.json. */
export function findWorkspace(cwd = process.cwd()): { root: string; options: PluginOptions } {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const nxJson = join(dir, 'nx.json');
    if (existsSync(nxJson)) {
      const plugins = (JSON.parse(readFileSync(nxJson, 'utf8')).plugins ?? []) as Array<string | { plugin: string; options?: unknown }>;
      const entry = plugins.find((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
      return { root: dir, options: validatePluginOptions(typeof entry === 'object' ? entry.options : undefined, dir) };
    }
    if (dirname(dir) === dir) {
      throw new NbprError('not inside an NBPR workspace', { where: cwd, hint: `Run nbpr from a directory holding (or below) an nx.json that lists ${PLUGIN_NAME}.` });
    }
  }
}
