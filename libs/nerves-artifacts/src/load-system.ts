import { homedir } from 'node:os';
import { join } from 'node:path';
import { configuredSystemPath, findSystemDir, locateSystem, NbprError, readSystem, type NervesSystem, type PluginOptions } from '@nbpr/model';
import { obtainSystem } from './obtain-system';
import { SOURCES_LOCK_FILE } from './sources-lock';

/**
 * The artefact of a system: found as Nerves finds it (NERVES_SYSTEM, nx.json's path, Nerves'
 * artifacts dirs), else obtained as Nerves obtains it (obtainSystem), then read and checked to
 * be the system asked for. A system nx.json gives a path for is never downloaded, nor any
 * with `obtain: false` (Nx hashing, which must stay quick and never fail).
 */
export async function loadSystem(
  id: string,
  options: PluginOptions,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  progress: (line: string) => void = (line) => console.error(line),
  { obtain = true }: { obtain?: boolean } = {},
): Promise<NervesSystem> {
  const located = { id, configuredPath: configuredSystemPath(options, id, workspaceRoot), env, homedir: env.HOME || homedir() };
  const source = options.systems?.[id];
  const download = () => obtainSystem({ id, source, lockFile: join(workspaceRoot, SOURCES_LOCK_FILE), env, progress });
  const dir = findSystemDir(located).dir ?? (source?.path || !obtain ? locateSystem(located) : await download());
  const system = readSystem(dir);
  if (system.id !== id) {
    throw new NbprError(`${env.NERVES_SYSTEM ? 'NERVES_SYSTEM points at' : 'the artefact directory holds'} ${system.id}, but the active system is ${id}`, {
      where: dir,
      hint: `Set NBPR_SYSTEM=${system.id} to use that system, or point NERVES_SYSTEM at ${id}'s artefact directory, or unset it.`,
    });
  }
  return system;
}
