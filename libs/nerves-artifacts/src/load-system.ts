import { join } from 'node:path';
import { readSystem, type NervesSystem, type PluginOptions } from '@nbpr/model';
import { checkedSystem, localSystem } from './local-system';
import { obtainSystem } from './obtain-system';
import { SOURCES_LOCK_FILE } from './sources-lock';

/**
 * The artefact of a system: the one on the machine (localSystem), else obtained as Nerves
 * obtains it (obtainSystem), then read and checked to be the system asked for. A system nx.json
 * gives a path for is never downloaded, nor any with `obtain: false`.
 */
export async function loadSystem(
  id: string,
  options: PluginOptions,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  progress: (line: string) => void = (line) => console.error(line),
  { obtain = true }: { obtain?: boolean } = {},
): Promise<NervesSystem> {
  const source = options.systems?.[id];
  const lookup = { id, options, workspaceRoot, env };
  const local = localSystem(lookup, Boolean(source?.path) || !obtain);
  if (local) return local;
  const dir = await obtainSystem({ id, source, lockFile: join(workspaceRoot, SOURCES_LOCK_FILE), env, progress });
  return checkedSystem(readSystem(dir), id, dir, env);
}
