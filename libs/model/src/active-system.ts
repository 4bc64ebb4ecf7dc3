import type { PluginOptions } from './plugin-options';
import { parseSystemId } from './system';

/** The system a run is for: NBPR_SYSTEM, else the workspace's defaultSystem. */
export function activeSystemId(options: PluginOptions, env: NodeJS.ProcessEnv = process.env): string {
  const id = env.NBPR_SYSTEM?.trim() || options.defaultSystem;
  parseSystemId(id);
  return id;
}
