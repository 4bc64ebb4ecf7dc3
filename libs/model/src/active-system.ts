import type { FirmwareProfile } from './firmware-profile';
import type { PluginOptions } from './plugin-options';
import { parseSystemId } from './system';

/** The system a run is for: NBPR_SYSTEM, else the workspace's defaultSystem. */
export function activeSystemId(options: PluginOptions, env: NodeJS.ProcessEnv = process.env): string {
  const id = env.NBPR_SYSTEM?.trim() || options.defaultSystem;
  parseSystemId(id);
  return id;
}

/**
 * Why a firmware does not apply to this run, if so: NBPR_SYSTEM names another system than the
 * one the firmware is for. A malformed NBPR_SYSTEM is an error, as it is for a package.
 */
export function firmwareSkipReason(firmware: FirmwareProfile, options: PluginOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.NBPR_SYSTEM?.trim()) return undefined;
  const active = activeSystemId(options, env);
  return active === firmware.metadata.system ? undefined : `firmware ${firmware.metadata.name} is for ${firmware.metadata.system}, the active system is ${active}`;
}
