import { homedir } from 'node:os';
// Deep imports: Nx hashing runs `nbpr system-id` on every invocation, and it reads systems
// through this file alone, without the catalogue's schemas or the download code.
import { NbprError } from '@nbpr/model/src/errors';
import { configuredSystemPath, type PluginOptions } from '@nbpr/model/src/plugin-options';
import { findSystemDir, locateSystem } from '@nbpr/model/src/system/locate-system';
import { readSystem, type NervesSystem } from '@nbpr/model/src/system/read-system';

export interface SystemLookup {
  id: string;
  options: PluginOptions;
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The artefact of a system already on the machine, found as Nerves finds it (NERVES_SYSTEM,
 * nx.json's path, Nerves' artifacts dirs), read and checked to be the system asked for; else
 * undefined, or with `required` the error that names every place looked in.
 */
export function localSystem(lookup: SystemLookup, required: true): NervesSystem;
export function localSystem(lookup: SystemLookup, required: boolean): NervesSystem | undefined;
export function localSystem(lookup: SystemLookup, required: boolean): NervesSystem | undefined {
  const { id, options, workspaceRoot, env } = lookup;
  const located = { id, configuredPath: configuredSystemPath(options, id, workspaceRoot), env, homedir: env.HOME || homedir() };
  const dir = findSystemDir(located).dir ?? (required ? locateSystem(located) : undefined);
  return dir === undefined ? undefined : checkedSystem(readSystem(dir), id, dir, env);
}

/** The system read from `dir`, refused when it is not the one asked for. */
export function checkedSystem(system: NervesSystem, id: string, dir: string, env: NodeJS.ProcessEnv): NervesSystem {
  if (system.id !== id) {
    throw new NbprError(`${env.NERVES_SYSTEM ? 'NERVES_SYSTEM points at' : 'the artefact directory holds'} ${system.id}, but the active system is ${id}`, {
      code: 'system/mismatch',
      where: dir,
      hint: `Set NBPR_SYSTEM=${system.id} to use that system, or point NERVES_SYSTEM at ${id}'s artefact directory, or unset it.`,
    });
  }
  return system;
}
