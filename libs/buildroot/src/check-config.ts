import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NbprError, parseDotConfig } from '@nbpr/model';

/**
 * Every symbol NBPR asked for must have survived olddefconfig: Kconfig silently drops a
 * symbol whose `depends on` the system's configuration does not meet, and a build that
 * quietly lacks a requested feature is worse than no build.
 */
export function checkRequestedSymbols(dotConfig: string, requested: Record<string, string>, configDirs: string[], pkg: string): void {
  const actual = parseDotConfig(readFileSync(dotConfig, 'utf8'), dotConfig).symbols;
  const lost = Object.entries(requested).filter(([symbol, value]) => (actual.get(symbol) ?? 'n') !== value && !(value === 'n' && !actual.has(symbol)));
  if (lost.length === 0) return;
  const lines = lost.map(([symbol, value]) => {
    const depends = dependsOn(symbol, configDirs);
    const unmet = depends.flatMap((expr) => expr.match(/BR2_\w+/g) ?? []).filter((s) => (actual.get(s) ?? 'n') === 'n');
    const why = depends.length ? `its "depends on ${depends.join(' && ')}" is not met${unmet.length ? ` (${unmet.map((s) => `${s} is not set`).join(', ')})` : ''}` : 'Buildroot does not know it, or another setting overrides it';
    return `${symbol}=${value} was dropped by Buildroot: ${why}; .config has ${actual.has(symbol) ? `${symbol}=${actual.get(symbol)}` : 'no value'}`;
  });
  throw new NbprError(`${pkg} cannot be built for this system:\n  ${lines.join('\n  ')}`, {
    code: 'buildroot/unbuildable-package',
    where: dotConfig,
    hint: 'These need a system change (a custom Nerves system enabling the dependency), or different package options.',
  });
}

/** The `depends on` lines of a symbol, from the Config.in files of the tree and the externals. */
export function dependsOn(symbol: string, configDirs: string[]): string[] {
  for (const file of configFiles(configDirs)) {
    const text = readFileSync(file, 'utf8');
    const at = text.search(new RegExp(`^\\s*(menu)?config\\s+${symbol}\\s*$`, 'm'));
    if (at < 0) continue;
    const block = text.slice(at).split(/\n(?=\s*(?:menu)?config\s|\s*endif|\s*if\s)/)[0];
    return [...block.matchAll(/^\s*depends on\s+(.+?)\s*(?:#.*)?$/gm)].map((m) => m[1]);
  }
  return [];
}

function configFiles(dirs: string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    if (existsSync(join(dir, 'Config.in'))) out.push(join(dir, 'Config.in'));
    const packages = join(dir, 'package');
    if (!existsSync(packages)) continue;
    for (const name of readdirSync(packages)) {
      const file = join(packages, name, 'Config.in');
      if (existsSync(file)) out.push(file);
    }
  }
  return out;
}
