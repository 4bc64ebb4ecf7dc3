import { artefactTag, cacheKey, hashTree, KEY_SCHEMA_VERSION, type KeyDocument } from '@nbpr/key';
import { buildrootSymbol, NbprError, pointerOf, targetsSystem, type Catalogue, type FirmwareProfile, type OptionValue, type PackageManifest, type SystemIdentity } from '@nbpr/model';
import { buildrootPackages, packageFragment } from './kconfig-fragment';
import { resolveOptions, type OptionRequest } from './resolve-options';

export interface ResolvedPackage {
  status: 'resolved';
  name: string;
  version: string;
  options: Record<string, OptionValue>;
  /** Kconfig symbols of the package and its NBPR dependencies, as raw .config values. */
  kconfig: Record<string, string>;
  /** NBPR dependencies, transitively, each after its own. */
  dependencies: string[];
  keyDocument: KeyDocument;
  key: string;
  tag: string;
}

export interface SkippedPackage {
  status: 'skipped';
  name: string;
  version: string;
  reason: string;
}

export type PackageResolution = ResolvedPackage | SkippedPackage;

export interface ResolveContext {
  catalogue: Catalogue;
  system: SystemIdentity;
  /** The firmware whose option overrides apply, if resolving for one. */
  firmware?: FirmwareProfile;
  /** The system's .config, to tell a package the system already ships. */
  systemConfig?: Map<string, string>;
}

/**
 * A package the system is built with needs nothing from NBPR when the system builds it as the
 * package asks (the reason, to skip it); built otherwise, the device can only have the system's
 * build, which needs a system change: an error before anything is fetched or staged.
 */
function shippedBySystem(context: ResolveContext, manifest: PackageManifest, fragment: Record<string, string>): string | undefined {
  const config = context.systemConfig;
  const packages = buildrootPackages(manifest);
  if (!config || manifest.externalTree || packages.length === 0) return undefined;
  const mainSymbols = packages.map(buildrootSymbol).filter((symbol) => fragment[symbol] === 'y');
  if (mainSymbols.length === 0 || !mainSymbols.every((symbol) => config.get(symbol) === 'y')) return undefined;
  const system = `${context.system.app}@${context.system.version}`;
  const differ = Object.entries(fragment).filter(([symbol, value]) => (config.get(symbol) ?? 'n') !== value);
  if (differ.length > 0) {
    throw new NbprError(`${manifest.metadata.name} is part of ${system}, built otherwise than it asks: ${differ.map(([symbol, value]) => `${symbol}=${value} (the system has ${config.get(symbol) ?? 'n'})`).join(', ')}`, {
      code: 'resolve/system-package-differs',
      where: `package ${manifest.metadata.name}`,
      hint: `Needs a system change: the device has only the system's ${manifest.metadata.name}. Use a system built with those symbols, or the options the system's build has.`,
    });
  }
  return `provided by the system: ${system} is built with ${mainSymbols.join(', ')}=y as the package asks, nothing to fetch or stage`;
}

/** Resolves one package for a system: options, kconfig fragment, key document, key and tag. */
export async function resolvePackage(context: ResolveContext, name: string): Promise<PackageResolution> {
  const { catalogue, system } = context;
  const manifest = catalogue.get(name);
  const closure = catalogue.dependencyClosure(name);
  for (const pkg of [name, ...closure]) {
    const reason = unsupportedReason(catalogue.get(pkg), system.app);
    if (reason) return { status: 'skipped', name, version: manifest.metadata.version, reason: pkg === name ? reason : `needs ${pkg}, which ${reason.replace(/^\S+ /, '')}` };
  }
  const options = resolveOptions(manifest, firmwareRequests(context, name));
  const shipped = shippedBySystem(context, manifest, packageFragment(manifest, options));
  if (shipped) return { status: 'skipped', name, version: manifest.metadata.version, reason: shipped };
  const kconfig = { ...packageFragment(manifest, options) };
  const origin = new Map(Object.keys(kconfig).map((symbol) => [symbol, name]));
  for (const dep of closure) {
    const depManifest = catalogue.get(dep);
    const depOptions = resolveOptions(depManifest, [...firmwareRequests(context, dep), ...dependantRequests(catalogue, [name, ...closure], dep)]);
    for (const [symbol, value] of Object.entries(packageFragment(depManifest, depOptions))) {
      if (symbol in kconfig && kconfig[symbol] !== value) {
        throw new NbprError(`${origin.get(symbol)} needs ${symbol}=${kconfig[symbol]} but its dependency ${dep} needs ${symbol}=${value}`, {
          code: 'resolve/conflicting-kconfig',
          where: `package ${name}`,
          hint: 'Buildroot has one value per symbol: change one of the two packages (or their options) so that they agree.',
        });
      }
      kconfig[symbol] = value;
      origin.set(symbol, dep);
    }
  }
  const keyDocument: KeyDocument = {
    nbpr: KEY_SCHEMA_VERSION,
    package: { name, version: manifest.metadata.version },
    build: { packages: buildrootPackages(manifest), kconfig, ...(manifest.metadata.exposeStaging ? { staging: true as const } : {}) },
    options,
    system: { app: system.app, version: system.version, buildroot: system.buildroot, config: system.config },
    tree: manifest.externalTree ? await hashTree(manifest.externalTree) : null,
  };
  const key = cacheKey(keyDocument);
  return {
    status: 'resolved',
    name,
    version: manifest.metadata.version,
    options,
    kconfig,
    dependencies: closure,
    keyDocument,
    key,
    tag: artefactTag({ version: manifest.metadata.version, systemApp: system.app, systemVersion: system.version, key }),
  };
}

function unsupportedReason(manifest: PackageManifest, app: string): string | undefined {
  if (targetsSystem(manifest.metadata, app)) return undefined;
  const targets = manifest.metadata.targets;
  const listed = targets.length <= 3 ? targets.join(', ') : `${targets.slice(0, 3).join(', ')} and ${targets.length - 3} more`;
  return `${manifest.metadata.name} does not target ${app} (targets: ${listed})`;
}

function firmwareRequests(context: ResolveContext, name: string): OptionRequest[] {
  const firmware = context.firmware;
  const values = firmware?.metadata.packages[name]?.options;
  if (!firmware || !values) return [];
  return [{ values, source: firmware.source, pointer: pointerOf('packages', name, 'options'), by: `firmware ${firmware.metadata.name}` }];
}

/** Options that packages of the selection need of `dep` (their "dependencies" entries). */
function dependantRequests(catalogue: Catalogue, selection: string[], dep: string): OptionRequest[] {
  return selection.flatMap((pkg) => {
    const manifest = catalogue.get(pkg);
    const values = manifest.metadata.dependencies?.[dep]?.options;
    return values ? [{ values, source: manifest.source, pointer: pointerOf('dependencies', dep, 'options'), by: `package ${pkg}` }] : [];
  });
}
