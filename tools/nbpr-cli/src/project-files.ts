import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { catalogueFiles, displayPath, FIRMWARE_FILE, isNbprError, isSkippedDirectory, NbprError, PACKAGE_FILE, readJsonSource, suggestion, type PluginOptions } from '@nbpr/model';

/**
 * Every nbpr.json and nbpr.firmware.json of the workspace, as the Nx plugin sees them; with the
 * plugin options, the packages of the catalogues it installs too.
 */
export function projectFiles(root: string, options?: Pick<PluginOptions, 'catalogues'>): { packages: string[]; firmware: string[] } {
  const packages: string[] = [];
  const firmware: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!isSkippedDirectory(entry.name)) walk(join(dir, entry.name), depth + 1);
      } else if (entry.name === PACKAGE_FILE) packages.push(join(dir, entry.name));
      else if (entry.name === FIRMWARE_FILE) firmware.push(join(dir, entry.name));
    }
  };
  walk(root, 0);
  return { packages: [...packages.sort(), ...catalogueFiles(options?.catalogues, root)], firmware: firmware.sort() };
}

/** The project file of a package or firmware name. */
export function projectFile(root: string, name: string): string {
  const { packages, firmware } = projectFiles(root);
  const byName = new Map<string, string>();
  for (const file of packages) byName.set(file.split('/').slice(-2, -1)[0], file);
  // A package is found without reading any firmware profile: a broken one elsewhere does not matter.
  if (byName.has(name)) return byName.get(name)!;
  const nameless: string[] = [];
  for (const file of firmware) {
    const found = firmwareName(file);
    if (found.name !== undefined) byName.set(found.name, file);
    else nameless.push(found.why);
  }
  const file = byName.get(name);
  if (!file) {
    const also = nameless.length ? `; ${nameless.length === 1 ? 'this firmware profile has' : 'these firmware profiles have'} no name to match: ${nameless.join('; ')}` : '';
    throw new NbprError(`no package or firmware named '${name}'${suggestion(name, byName.keys())}${also}`, { code: 'cli/unknown-project', where: root, hint: 'nbpr works on the nbpr.json and nbpr.firmware.json files of this workspace.' });
  }
  return file;
}

/** A firmware profile's name, read without validating the rest of it (a broken one elsewhere does not matter), or why it has none. */
function firmwareName(file: string): { name: string; why?: undefined } | { name?: undefined; why: string } {
  try {
    const { value } = readJsonSource(file);
    const name = value !== null && typeof value === 'object' ? (value as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? { name } : { why: `${displayPath(file)} /name: ${name === undefined ? 'missing' : 'not a string'}` };
  } catch (error) {
    return { why: isNbprError(error) ? `${error.where}: ${error.message}` : String(error) };
  }
}
