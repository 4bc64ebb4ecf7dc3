import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where the local store lives: `NBPR_CACHE_DIR`, else beside Nerves' own artefacts in its data
 * directory, `$XDG_DATA_HOME/nerves/nbpr` or `~/.nerves/nbpr` (as Nerves resolves
 * `$XDG_DATA_HOME/nerves/artifacts` or `~/.nerves/artifacts`). A relative XDG_DATA_HOME is
 * ignored, as the XDG spec asks.
 */
export function storeRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NBPR_CACHE_DIR) return env.NBPR_CACHE_DIR;
  const xdg = env.XDG_DATA_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'nerves', 'nbpr') : join(env.HOME || homedir(), '.nerves', 'nbpr');
}
