import { NbprError } from '../errors';

const VERSION = '[0-9A-Za-z][0-9A-Za-z.+-]*';
const SYSTEM_ID = new RegExp(`^([a-z][a-z0-9_]*)@(${VERSION})$`);
const SYSTEM_VERSION = new RegExp(`^${VERSION}$`);

/** A system version as a system id holds it (2.0.4): what a VERSION file may say. */
export function isSystemVersion(version: string): boolean {
  return version.length <= 64 && SYSTEM_VERSION.test(version);
}

/** 'nerves_system_rpi4@2.0.4' -> { app, version }. */
export function parseSystemId(id: string): { app: string; version: string } {
  const m = id.match(SYSTEM_ID);
  if (!m) {
    throw new NbprError(`'${id}' is not a system id`, { code: 'system/invalid-id', where: 'NBPR_SYSTEM or defaultSystem', hint: 'Name a system as <app>@<version>, e.g. nerves_system_rpi4@2.0.4.' });
  }
  return { app: m[1], version: m[2] };
}
