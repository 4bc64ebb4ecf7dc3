import { homedir } from 'node:os';
import { join } from 'node:path';

/** Nerves' data dir (Nerves.Env.data_dir): `$XDG_DATA_HOME/nerves`, else `~/.nerves`. */
export function nervesDataHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_DATA_HOME ? join(env.XDG_DATA_HOME, 'nerves') : join(env.HOME || homedir(), '.nerves');
}

/** Where Nerves keeps downloaded artefact tarballs (Nerves.Env.download_dir): NERVES_DL_DIR, else `<data>/dl`. */
export function nervesDownloadDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NERVES_DL_DIR || join(nervesDataHome(env), 'dl');
}

/** Where Nerves unpacks artefacts (Nerves.Artifact.base_dir): NERVES_ARTIFACTS_DIR, else `<data>/artifacts`. */
export function nervesArtifactsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NERVES_ARTIFACTS_DIR || join(nervesDataHome(env), 'artifacts');
}
