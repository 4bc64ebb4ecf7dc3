import { errorAt, pointerOf, suggestion, NbprError, NbprErrors, type FirmwareProfile } from '@nbpr/model';
import { resolveOptions } from './resolve-options';
import { resolvePackage, type PackageResolution, type ResolveContext } from './resolve-package';

/**
 * Every package of a firmware profile, with the NBPR dependencies they bring in, resolved
 * with the profile's overrides. Unknown package names fail before anything is resolved.
 */
export async function resolveFirmware(context: ResolveContext & { firmware: FirmwareProfile }): Promise<PackageResolution[]> {
  const { catalogue, firmware } = context;
  const problems: NbprError[] = [];
  const listed = Object.keys(firmware.metadata.packages).sort();
  for (const name of listed) {
    if (!catalogue.has(name)) {
      problems.push(errorAt(firmware.source, pointerOf('packages', name), 'catalogue/unknown-package', `no NBPR package named '${name}'${suggestion(name, catalogue.names())}`, 'Firmware profiles list packages of this workspace: its nbpr.json files and those of the catalogues it installs.'));
    }
  }
  if (problems.length > 0) throw problems.length === 1 ? problems[0] : new NbprErrors(problems);
  // Overrides are checked for every listed package, including those the system skips,
  // so that a typo never waits for the day the profile meets another system.
  for (const name of listed) {
    const values = firmware.metadata.packages[name].options;
    if (!values) continue;
    try {
      resolveOptions(catalogue.get(name), [{ values, source: firmware.source, pointer: pointerOf('packages', name, 'options'), by: `firmware ${firmware.metadata.name}` }]);
    } catch (error) {
      if (!(error instanceof NbprError)) throw error;
      problems.push(...(error instanceof NbprErrors ? error.errors : [error]));
    }
  }
  if (problems.length > 0) throw problems.length === 1 ? problems[0] : new NbprErrors(problems);
  const selection = new Set<string>();
  for (const name of listed) {
    for (const dep of catalogue.dependencyClosure(name)) selection.add(dep);
    selection.add(name);
  }
  const resolutions: PackageResolution[] = [];
  for (const name of selection) resolutions.push(await resolvePackage(context, name));
  return resolutions;
}
