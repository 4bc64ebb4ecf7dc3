import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Where the local store lives, and the variable that chose it: the one a user changes to move it. */
export interface StoreLocation {
  root: string;
  setBy: 'NBPR_CACHE_DIR' | 'XDG_DATA_HOME' | 'HOME';
}

/**
 * Where the local store lives: `NBPR_CACHE_DIR`, else beside Nerves' own artefacts in its data
 * directory, `$XDG_DATA_HOME/nerves/nbpr` or `~/.nerves/nbpr` (as Nerves resolves
 * `$XDG_DATA_HOME/nerves/artifacts` or `~/.nerves/artifacts`). A relative XDG_DATA_HOME is
 * ignored, as the XDG spec asks.
 */
export function storeLocation(env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (env.NBPR_CACHE_DIR) return { root: env.NBPR_CACHE_DIR, setBy: 'NBPR_CACHE_DIR' };
  const xdg = env.XDG_DATA_HOME;
  return xdg && isAbsolute(xdg) ? { root: join(xdg, 'nerves', 'nbpr'), setBy: 'XDG_DATA_HOME' } : { root: join(env.HOME || homedir(), '.nerves', 'nbpr'), setBy: 'HOME' };
}
