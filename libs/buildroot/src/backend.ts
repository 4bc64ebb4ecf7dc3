import { execa } from 'execa';
import { NbprError } from '@nbpr/model';

/** How make runs: on this Linux host (as inside `mix nerves.system.shell` or the container), or in the canonical container. */
export type Backend = { kind: 'native' } | { kind: 'container'; engine: 'docker' | 'podman'; image: string };

/** The canonical build container for a system: never :latest, always the system's nerves_system_br version. */
export function containerImage(nervesSystemBrVersion: string): string {
  return `ghcr.io/nerves-project/nerves_system_br:${nervesSystemBrVersion.replace(/^v/, '')}`;
}

/** NBPR_BUILD_BACKEND (native, docker, podman), else native on Linux, else the first container engine found. */
export async function chooseBackend(nervesSystemBrVersion: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): Promise<Backend> {
  const wanted = env.NBPR_BUILD_BACKEND;
  if (wanted === 'native') return { kind: 'native' };
  if (wanted === 'docker' || wanted === 'podman') return { kind: 'container', engine: wanted, image: containerImage(nervesSystemBrVersion) };
  if (wanted) throw new NbprError(`unknown build backend '${wanted}'`, { code: 'buildroot/unknown-backend', where: 'NBPR_BUILD_BACKEND', hint: 'Use native, docker or podman.' });
  if (platform === 'linux') return { kind: 'native' };
  for (const engine of ['docker', 'podman'] as const) {
    if ((await execa(engine, ['--version'], { reject: false })).exitCode === 0) return { kind: 'container', engine, image: containerImage(nervesSystemBrVersion) };
  }
  throw new NbprError('Buildroot builds need Linux, or docker or podman to run the nerves_system_br container', { code: 'buildroot/no-backend', hint: 'Install docker or podman, or build on Linux (NBPR_BUILD_BACKEND=native).' });
}

/** The environment a build passes into the container (the rest of the host's stays outside). */
export const CONTAINER_ENV = ['SOURCE_DATE_EPOCH', 'BR2_DL_DIR', 'NERVES_DEFCONFIG_DIR', 'TERM'];

/** The command that runs `make <args>` in `tree` for a backend; every path is mounted at the same place. */
export function makeCommand(backend: Backend, tree: string, args: string[], mounts: string[]): { file: string; args: string[] } {
  if (backend.kind === 'native') return { file: 'make', args: ['-C', tree, ...args] };
  const volumes = [...new Set([tree, ...mounts])].flatMap((dir) => ['-v', `${dir}:${dir}`]);
  return { file: backend.engine, args: ['run', '--rm', ...volumes, '-w', tree, ...CONTAINER_ENV.flatMap((name) => ['-e', name]), backend.image, 'make', ...args] };
}
