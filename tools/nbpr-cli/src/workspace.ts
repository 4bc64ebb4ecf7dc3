import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NbprError } from '@nbpr/model/src/errors';
import { PLUGIN_NAME, readPluginOptions, readUncheckedPluginOptions, type PluginOptions } from '@nbpr/model/src/plugin-options';

/**
 * The Nx workspace around `cwd`, and the NBPR plugin options in its nx.json: validated, unless
 * `validate` is false (see readUncheckedPluginOptions).
 */
export function findWorkspace(cwd = process.cwd(), validate = true): { root: string; options: PluginOptions } {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const nxJson = join(dir, 'nx.json');
    if (existsSync(nxJson)) {
      return { root: dir, options: validate ? readPluginOptions(dir) : (readUncheckedPluginOptions(dir) as PluginOptions) };
    }
    if (dirname(dir) === dir) {
      throw new NbprError('not inside an NBPR workspace', { code: 'cli/not-a-workspace', where: cwd, hint: `Run nbpr from a directory holding (or below) an nx.json that lists ${PLUGIN_NAME}.` });
    }
  }
}
