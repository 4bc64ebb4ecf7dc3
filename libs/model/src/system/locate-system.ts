import { join } from 'node:path';
import { NbprError } from '../errors';
import { parseSystemId } from './system-id';
import { isDirectory } from '../file-kind';

export interface LocateSystemInput {
  /** The system wanted, as app@version. */
  id: string;
  /** Its artefact directory from nx.json's plugin option `systems`, already absolute. */
  configuredPath?: string;
  env: NodeJS.ProcessEnv;
  homedir: string;
}

/**
 * Finds a system artefact directory as Nerves does: NERVES_SYSTEM, else (NBPR's addition)
 * the path configured for the system, else `<app>-portable-<version>` under
 * NERVES_ARTIFACTS_DIR, $XDG_DATA_HOME/nerves/artifacts, ~/.nerves/artifacts.
 * NERVES_SYSTEM is returned as is: the reader checks that it holds the wanted system.
 */
export function locateSystem(input: LocateSystemInput): string {
  const { app, version } = parseSystemId(input.id);
  const { dir, tried } = findSystemDir(input);
  if (dir) return dir;
  throw new NbprError(`Nerves system ${input.id} not found; looked in ${tried.join(', ')}`, {
    code: 'system/not-found',
    hint: `Point NERVES_SYSTEM at the system's artefact directory, unpack it as ${app}-portable-${version} under one of those directories (mix deps.get in a Nerves project does), or set its path in nx.json: plugins -> @nbpr/nx-plugin -> options.systems["${input.id}"].path.`,
  });
}

/** locateSystem without the error: the directory, or where it was looked for. */
export function findSystemDir(input: LocateSystemInput): { dir?: string; tried: string[] } {
  const { app, version } = parseSystemId(input.id);
  if (input.env.NERVES_SYSTEM) return { dir: input.env.NERVES_SYSTEM, tried: [] };
  const tried: string[] = [];
  const candidates = [
    ...(input.configuredPath ? [input.configuredPath] : []),
    ...artifactDirs(input.env, input.homedir).map((dir) => join(dir, `${app}-portable-${version}`)),
  ];
  for (const candidate of candidates) {
    if (isDirectory(candidate)) return { dir: candidate, tried };
    tried.push(candidate);
  }
  return { tried };
}

/** Where Nerves keeps downloaded system artefacts, in the order it looks. */
export function artifactDirs(env: NodeJS.ProcessEnv, homedir: string): string[] {
  return [
    env.NERVES_ARTIFACTS_DIR,
    env.XDG_DATA_HOME ? join(env.XDG_DATA_HOME, 'nerves', 'artifacts') : undefined,
    join(homedir, '.nerves', 'artifacts'),
  ].filter((d): d is string => Boolean(d));
}
