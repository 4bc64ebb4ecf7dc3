import { homedir } from 'node:os';
import { NbprError } from './errors';
import { configuredSystemPath, type PluginOptions } from './plugin-options';
import { locateSystem, parseSystemId, readSystem, type NervesSystem } from './system';

/** The system a run is for: NBPR_SYSTEM, else the workspace's defaultSystem. */
export function activeSystemId(options: PluginOptions, env: NodeJS.ProcessEnv = process.env): string {
  const id = env.NBPR_SYSTEM?.trim() || options.defaultSystem;
  parseSystemId(id);
  return id;
}

/** Finds (as Nerves does, plus nx.json's `systems` paths) and reads the artefact of a system. */
export async function loadSystem(
  id: string,
  options: PluginOptions,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NervesSystem> {
  const dir = locateSystem({ id, configuredPath: configuredSystemPath(options, id, workspaceRoot), env, homedir: homedir() });
  const system = readSystem(dir);
  if (system.id !== id) {
    throw new NbprError(`${env.NERVES_SYSTEM ? 'NERVES_SYSTEM points at' : 'the artefact directory holds'} ${system.id}, but the active system is ${id}`, {
      where: dir,
      hint: `Set NBPR_SYSTEM=${system.id} to use that system, or point NERVES_SYSTEM at ${id}'s artefact directory, or unset it.`,
    });
  }
  return system;
}
