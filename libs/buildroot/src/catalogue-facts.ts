import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildrootSymbol, buildrootVariable, isNbprError, NbprError, readJsonSource, type Catalogue } from '@nbpr/model';
import { treeVersion } from './tree-version';

/** What Buildroot says of one package, as its <pkg>.mk and Config.in say it. */
export interface BuildrootPackageFacts {
  version: string;
  homepage?: string;
  license?: string;
  /** The symbols the package's main config selects. */
  selects: string[];
  /** Its sub-options: symbol, kconfig type, and default (['y'] for `default y`). */
  options: Array<{ symbol: string; type: string; default: string[] | null; prompt?: string }>;
  /** The first sentence of its help text (a tree's facts). */
  description?: string;
  /** Its .mk's target DEPENDENCIES (a tree's facts). */
  dependencies?: string[];
}

/**
 * A facts file: `{ "packages": { <name>: facts } }` (the project's fixtures) or `{ <name>: facts }`
 * (a file extracted from a Buildroot tree), keyed by Buildroot package name.
 */
export function readFactsFile(file: string): Record<string, BuildrootPackageFacts> {
  let parsed: unknown;
  try {
    parsed = readJsonSource(file).value;
  } catch (error) {
    if (!isNbprError(error)) throw error;
    throw new NbprError(`cannot read the facts file: ${error.message}`, { code: 'buildroot/unreadable-facts', where: error.where ?? file, hint: 'Give a JSON file of Buildroot package facts, or --buildroot-dir <tree>.' });
  }
  const packages = ((parsed as { packages?: unknown }).packages ?? parsed) as Record<string, BuildrootPackageFacts>;
  if (typeof packages !== 'object' || packages === null) throw new NbprError('not a facts file (an object of packages)', { code: 'buildroot/invalid-facts', where: file });
  return packages;
}

/** The facts of `names` read from a Buildroot tree (package/<name>/<name>.mk and Config.in). */
export function factsFromTree(tree: string, names: string[]): Record<string, BuildrootPackageFacts> {
  // Else every package would be "not in Buildroot", which is not what is wrong.
  if (!treeVersion(tree)) {
    throw new NbprError('not a Buildroot tree (no Makefile declaring BR2_VERSION)', { code: 'buildroot/not-a-tree', where: tree, hint: 'Give the top directory of a Buildroot source tree, the one holding its Makefile and package/.' });
  }
  const out: Record<string, BuildrootPackageFacts> = {};
  for (const name of names) {
    const dir = join(tree, 'package', name);
    if (!existsSync(join(dir, `${name}.mk`))) continue;
    const prefix = buildrootVariable(name);
    const mk = readFileSync(join(dir, `${name}.mk`), 'utf8').replace(/\\\n\s*/g, ' ');
    // A value may use the .mk's own variables (NANO_VERSION = $(NANO_VERSION_MAJOR).0).
    const raw = (name: string) => mk.match(new RegExp(`^${name}\\s*:?=\\s*(.*)$`, 'm'))?.[1].trim();
    const expand = (value: string | undefined, depth = 0): string | undefined =>
      value === undefined || depth > 5 ? value : value.replace(/\$\((\w+)\)/g, (all, name: string) => expand(raw(name), depth + 1) ?? all);
    const variable = (suffix: string) => expand(raw(`${prefix}_${suffix}`));
    const config = existsSync(join(dir, 'Config.in')) ? readFileSync(join(dir, 'Config.in'), 'utf8') : '';
    const entries = configEntries(config);
    const main = entries.find((e) => e.symbol === `BR2_PACKAGE_${prefix}`);
    const help = (main?.help ?? '').split('\n').map((l) => l.trim());
    out[name] = {
      version: variable('VERSION') ?? '',
      homepage: help.find((l) => /^https?:\/\/\S+$/.test(l)),
      license: variable('LICENSE')?.replace(/\s+/g, ' '),
      selects: main?.selects ?? [],
      options: entries.filter((e) => e !== main && e.symbol.startsWith(`BR2_PACKAGE_${prefix}_`)).map((e) => ({ symbol: e.symbol, type: e.type, default: e.defaults.length ? e.defaults : null, prompt: e.prompt })),
      description: help.join(' ').replace(/https?:\/\/\S+/g, '').replace(/\s+/g, ' ').trim().split(/(?<=\.)\s/)[0] || undefined,
      dependencies: (variable('DEPENDENCIES') ?? '').split(/\s+/).filter((d) => d && !d.startsWith('host-') && !d.includes('$')),
    };
  }
  return out;
}

interface ConfigEntry {
  symbol: string;
  type: string;
  prompt?: string;
  defaults: string[];
  selects: string[];
  help: string;
}

/** The `config` entries of one Config.in: their type, `default` values, `select`s and help text. */
function configEntries(text: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  let current: ConfigEntry | undefined;
  let inHelp = false;
  for (const line of text.split('\n')) {
    const config = line.match(/^(?:menu)?config\s+(\S+)/);
    if (config) {
      current = { symbol: config[1], type: '', defaults: [], selects: [], help: '' };
      entries.push(current);
      inHelp = false;
      continue;
    }
    if (!current) continue;
    if (inHelp) {
      if (line.trim() === '' || /^\s/.test(line)) {
        current.help += `${line}\n`;
        continue;
      }
      inHelp = false;
    }
    const statement = line.trim();
    if (/^(endif|endmenu|endchoice|choice|comment|menu|if|source)\b/.test(statement) && !/^\s/.test(line)) {
      current = undefined;
      continue;
    }
    const type = statement.match(/^(bool|tristate|string|int|hex)\b(?:\s+"([^"]*)")?/);
    if (type) {
      current.type = type[1];
      if (type[2] !== undefined) current.prompt = type[2];
    }
    const fallback = statement.match(/^default\s+(\S+)/);
    if (fallback) current.defaults.push(fallback[1].replace(/^"|"$/g, ''));
    const select = statement.match(/^select\s+(\S+)/);
    if (select) current.selects.push(select[1]);
    if (/^(help|---help---)$/.test(statement)) inHelp = true;
  }
  return entries;
}

/** Whether a bool option is on by default: `default y`, `default y # legacy`, `default y if BR2_X` (the value is the first word). */
export function defaultsOn(option: { default: string[] | null }): boolean {
  return option.default?.[0]?.trim().split(/\s+/)[0] === 'y';
}

/**
 * Holds every catalogue package built from Buildroot to what Buildroot says of it: its version
 * (NBPR's +nbpr.N suffix aside), homepage, boolean options mapped to real sub-options with
 * Buildroot's defaults, and an NBPR dependency for every catalogue package its main config
 * selects. Returns the packages checked, those a partial facts file does not hold, and one
 * line per disagreement.
 */
export function checkCatalogue(catalogue: Catalogue, facts: Record<string, BuildrootPackageFacts>, options: { partial?: boolean } = {}): { checked: string[]; unknown: string[]; problems: string[] } {
  const checked: string[] = [];
  const unknown: string[] = [];
  const problems: string[] = [];
  const bySymbol = new Map<string, string>();
  for (const name of catalogue.names()) {
    const buildroot = catalogue.get(name).metadata.buildroot;
    if ('package' in buildroot) bySymbol.set(buildrootSymbol(buildroot.package), name);
  }
  for (const name of catalogue.names()) {
    const metadata = catalogue.get(name).metadata;
    if (!('package' in metadata.buildroot)) continue;
    const br = metadata.buildroot.package;
    const f = facts[br];
    const where = `${name} (Buildroot package ${br})`;
    if (!f) {
      // A facts file may hold only some of Buildroot's packages; a tree holds them all.
      if (options.partial) unknown.push(name);
      else problems.push(`${where}: Buildroot has no such package`);
      continue;
    }
    checked.push(name);
    const version = metadata.version.replace(/\+nbpr\.\d+$/, '');
    // A facts file may hold a version as the .mk writes it, with make variables: not comparable.
    if (version !== f.version && !f.version.includes('$(')) problems.push(`${where}: version ${version}, Buildroot has ${f.version}`);
    if (f.homepage && metadata.homepage !== f.homepage) problems.push(`${where}: homepage ${metadata.homepage}, Buildroot has ${f.homepage}`);
    for (const [option, spec] of Object.entries(metadata.options ?? {})) {
      if (spec.type === 'enum') continue;
      const real = f.options.find((o) => o.symbol === spec.kconfig);
      if (!real) {
        problems.push(`${where}: option ${option} maps to ${spec.kconfig}, which is not a sub-option of ${br}`);
        continue;
      }
      if (spec.type === 'boolean' && (real.type !== 'bool' || spec.default !== defaultsOn(real))) {
        problems.push(`${where}: option ${option} (${spec.kconfig}) is boolean with default ${spec.default}; Buildroot has ${real.type} default ${defaultsOn(real) ? 'y' : 'n'}`);
      }
    }
    for (const symbol of f.selects) {
      const needed = bySymbol.get(symbol);
      if (needed && needed !== name && !(needed in (metadata.dependencies ?? {}))) problems.push(`${where}: Buildroot selects ${symbol}, so it needs the NBPR dependency ${needed}`);
    }
  }
  return { checked, unknown, problems };
}
