import { dirname, resolve } from 'node:path';
import { readJsonSource, type JsonSource } from './json-file';
import type { OptionValue } from './package-manifest';
import { validateSource } from './schema/validate';

/** nbpr.firmware.json: one firmware's NBPR packages for one system, with option overrides. */
export interface FirmwareMetadata {
  $schema?: string;
  schemaVersion: 1;
  name: string;
  description?: string;
  system: string;
  packages: Record<string, { options?: Record<string, OptionValue> }>;
  licensePolicy?: { deny?: string[] };
}

export interface FirmwareProfile {
  metadata: FirmwareMetadata;
  path: string;
  dir: string;
  source: JsonSource;
}

export const FIRMWARE_FILE = 'nbpr.firmware.json';

export function loadFirmwareProfile(path: string, cwd = process.cwd()): FirmwareProfile {
  const absolute = resolve(cwd, path);
  const source = readJsonSource(absolute, cwd);
  validateSource('firmware', source);
  return { metadata: source.value as FirmwareMetadata, path: absolute, dir: dirname(absolute), source };
}
