import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import parseSpdx from 'spdx-expression-parse';
import { NbprError, NbprErrors } from './errors';
import { errorAt, pointerOf, readJsonSource, type JsonSource } from './json-file';
import { validateSource } from './schema/validate';
import { isDirectory } from './file-kind';

export type KconfigValue = boolean | number | string;
export type OptionValue = boolean | number | string;

export type BuildOption =
  | { type: 'boolean'; description: string; default: boolean; kconfig: string }
  | { type: 'integer'; description: string; default: number; minimum?: number; maximum?: number; kconfig: string }
  | { type: 'string'; description: string; default: string; pattern?: string; kconfig: string }
  | { type: 'enum'; description: string; default: string; values: Record<string, Record<string, KconfigValue>> };

export interface DaemonOption {
  type: 'boolean' | 'integer' | 'string' | 'strings';
  flag: string;
  joined?: boolean;
  description: string;
  default?: boolean | number | string | string[];
  required?: boolean;
  values?: string[];
}

export interface Daemon {
  path: string;
  description: string;
  foregroundArgs?: string[];
  args?: string[];
  options?: Record<string, DaemonOption>;
}

export type BuildrootSource = { package: string } | { external: string; packages: string[] };

/** nbpr.json, as the schema defines it. */
export interface PackageMetadata {
  $schema?: string;
  schemaVersion: 1;
  name: string;
  version: string;
  description: string;
  homepage: string;
  licenses: string;
  buildroot: BuildrootSource;
  kconfig?: Record<string, KconfigValue>;
  options?: Record<string, BuildOption>;
  daemons?: Record<string, Daemon>;
  kernelModules?: string[];
  runtimeEnv?: Record<string, string>;
  dependencies?: Record<string, { options?: Record<string, OptionValue> }>;
  targets: string[];
  rootfsPaths?: string[];
  exposeStaging?: boolean;
  sites?: string[];
}

/** A loaded, validated package with where it came from (for errors and for the external tree). */
export interface PackageManifest {
  metadata: PackageMetadata;
  /** Absolute path of nbpr.json. */
  path: string;
  /** Absolute package directory. */
  dir: string;
  source: JsonSource;
  /** Absolute BR2_EXTERNAL tree directory of a vendored package, else null. */
  externalTree: string | null;
}

export const PACKAGE_FILE = 'nbpr.json';

export function loadPackageManifest(path: string, cwd = process.cwd()): PackageManifest {
  const absolute = resolve(cwd, path);
  const source = readJsonSource(absolute, cwd);
  validateSource('package', source);
  const metadata = source.value as PackageMetadata;
  const dir = dirname(absolute);
  const externalTree = 'external' in metadata.buildroot ? join(dir, metadata.buildroot.external) : null;
  const manifest: PackageManifest = { metadata, path: absolute, dir, source, externalTree };
  const problems = checkPackageSemantics(manifest);
  if (problems.length > 0) throw problems.length === 1 ? problems[0] : new NbprErrors(problems);
  return manifest;
}

/** What the schema cannot say: cross-field rules of one nbpr.json. */
function checkPackageSemantics(manifest: PackageManifest): NbprError[] {
  const { metadata: m, source, dir } = manifest;
  const problems: NbprError[] = [];
  if (basename(dir) !== m.name) {
    problems.push(
      errorAt(source, '/name', 'package/name-mismatch', `package name '${m.name}' differs from its directory '${basename(dir)}'`, `Rename one so that packages/<name>/nbpr.json holds "name": "<name>".`),
    );
  }
  try {
    parseSpdx(m.licenses);
  } catch {
    problems.push(
      errorAt(source, '/licenses', 'package/invalid-licence', `'${m.licenses}' is not a valid SPDX license expression`, "Use SPDX identifiers joined by AND/OR, e.g. 'MIT AND BSD-2-Clause' or 'GPL-2.0-only OR GPL-3.0-only' (see https://spdx.org/licenses/)."),
    );
  }
  for (const [name, option] of Object.entries(m.options ?? {})) {
    if (option.type === 'string' && option.pattern !== undefined && !isRegExp(option.pattern)) {
      problems.push(errorAt(source, pointerOf('options', name, 'pattern'), 'package/invalid-pattern', `pattern of option '${name}' is not a valid regular expression: ${JSON.stringify(option.pattern)}`, 'Write a JavaScript regular expression (as JSON Schema patterns are), e.g. "^[a-z0-9.-]+$".'));
      continue;
    }
    const at = pointerOf('options', name, 'default');
    const problem = checkOptionValue(option, option.default);
    if (problem) problems.push(errorAt(source, at, 'package/invalid-option-default', `default of option '${name}' ${problem}`));
  }
  if (manifest.externalTree) {
    const at = pointerOf('buildroot', 'external');
    if (!isDirectory(manifest.externalTree)) {
      problems.push(errorAt(source, at, 'package/missing-external-tree', `BR2_EXTERNAL tree '${(m.buildroot as { external: string }).external}' does not exist`, `Create ${manifest.externalTree} with external.desc, Config.in and external.mk (NBPR's package generator scaffolds one with --vendored).`));
    } else if (!existsSync(join(manifest.externalTree, 'external.desc'))) {
      problems.push(errorAt(source, at, 'package/missing-external-desc', `BR2_EXTERNAL tree has no external.desc`, `Buildroot needs ${join(manifest.externalTree, 'external.desc')} with a 'name: ${externalName(m.name)}' line.`));
    } else {
      // Buildroot derives BR2_EXTERNAL_<name>_PATH from it; NBPR names every package's tree apart.
      const declared = readFileSync(join(manifest.externalTree, 'external.desc'), 'utf8').match(/^name:\s*(\S+)/m)?.[1];
      if (declared !== externalName(m.name)) {
        problems.push(errorAt(source, at, 'package/wrong-external-name', `external.desc names the tree '${declared ?? ''}', expected '${externalName(m.name)}'`, `Write 'name: ${externalName(m.name)}' in ${join(manifest.externalTree, 'external.desc')}, so that its path is BR2_EXTERNAL_${externalName(m.name)}_PATH.`));
      }
    }
  }
  for (const [daemon, spec] of Object.entries(m.daemons ?? {})) {
    for (const [name, option] of Object.entries(spec.options ?? {})) {
      if (option.default === undefined) continue;
      const problem = checkDaemonOptionValue(option, option.default);
      if (problem) problems.push(errorAt(source, pointerOf('daemons', daemon, 'options', name, 'default'), 'package/invalid-option-default', `default of daemon option '${name}' ${problem}`));
    }
  }
  return problems;
}

/** Buildroot's variable prefix of a package (pkg-utils.mk UPPERCASE: upper-cased, '-', '.' and '/' as '_'), e.g. WIREGUARD_TOOLS. */
export function buildrootVariable(buildrootPackage: string): string {
  return buildrootPackage.toUpperCase().replace(/[-./]/g, '_');
}

/** Buildroot's Kconfig symbol of a package: BR2_PACKAGE_<variable prefix>. */
export function buildrootSymbol(buildrootPackage: string): string {
  return `BR2_PACKAGE_${buildrootVariable(buildrootPackage)}`;
}

/** Whether a package is for a system: its targets name the system's app, or '*'. */
export function targetsSystem(metadata: Pick<PackageMetadata, 'targets'>, app: string): boolean {
  return metadata.targets.includes('*') || metadata.targets.includes(app);
}

/** The BR2_EXTERNAL name of a vendored package's tree: NBPR_ + the upper-cased name. */
export function externalName(packageName: string): string {
  return 'NBPR_' + packageName.replace(/^nbpr-/, '').toUpperCase().replace(/[-.]/g, '_');
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** Why a value does not fit a build option, or undefined when it does. */
export function checkOptionValue(option: BuildOption, value: unknown): string | undefined {
  switch (option.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
    case 'integer':
      if (!Number.isInteger(value)) return `must be an integer, got ${JSON.stringify(value)}`;
      if (option.minimum !== undefined && (value as number) < option.minimum) return `must be >= ${option.minimum}, got ${value}`;
      if (option.maximum !== undefined && (value as number) > option.maximum) return `must be <= ${option.maximum}, got ${value}`;
      return undefined;
    case 'string':
      if (typeof value !== 'string') return `must be a string, got ${JSON.stringify(value)}`;
      if (option.pattern !== undefined && !new RegExp(option.pattern).test(value)) return `must match ${option.pattern}, got ${JSON.stringify(value)}`;
      return undefined;
    case 'enum': {
      const allowed = Object.keys(option.values);
      return typeof value === 'string' && allowed.includes(value)
        ? undefined
        : `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`;
    }
  }
}

export function checkDaemonOptionValue(option: DaemonOption, value: unknown): string | undefined {
  switch (option.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
    case 'integer':
      return Number.isInteger(value) ? undefined : `must be an integer, got ${JSON.stringify(value)}`;
    case 'string':
      if (typeof value !== 'string') return `must be a string, got ${JSON.stringify(value)}`;
      return option.values && !option.values.includes(value) ? `must be one of ${option.values.join(', ')}, got ${JSON.stringify(value)}` : undefined;
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : `must be a list of strings, got ${JSON.stringify(value)}`;
  }
}
