import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NbprError } from '@nbpr/model';

export interface BuildrootOption {
  symbol: string;
  prompt: string;
  defaultOn: boolean;
}

export interface BuildrootFacts {
  version: string | null;
  license: string | null;
  homepage: string | null;
  description: string | null;
  dependencies: string[];
  options: BuildrootOption[];
}

const upper = (name: string) => name.toUpperCase().replace(/[-.]/g, '_');

/** What a Buildroot tree says of one package: its .mk (version, licence, dependencies) and Config.in (help, sub-options). */
export function readBuildrootFacts(tree: string, name: string): BuildrootFacts {
  const dir = join(tree, 'package', name);
  const mk = join(dir, `${name}.mk`);
  if (!existsSync(mk)) throw new NbprError(`Buildroot has no package '${name}'`, { where: join(tree, 'package'), hint: 'Use the directory name under package/ of the Buildroot tree.' });
  const make = readFileSync(mk, 'utf8');
  const raw = (variable: string) => make.match(new RegExp(`^${variable}\\s*[:+]?=\\s*(.*)$`, 'm'))?.[1].trim();
  // A value may use the .mk's own variables (NANO_VERSION = $(NANO_VERSION_MAJOR).0).
  const expand = (value: string | undefined, depth = 0): string | undefined =>
    value === undefined || depth > 5 ? value : value.replace(/\$\((\w+)\)/g, (all, inner: string) => expand(raw(inner), depth + 1) ?? all);
  const variable = (suffix: string) => expand(raw(`${upper(name)}_${suffix}`)) ?? null;
  const config = existsSync(join(dir, 'Config.in')) ? readFileSync(join(dir, 'Config.in'), 'utf8') : '';
  const main = `BR2_PACKAGE_${upper(name)}`;
  const help = blockOf(config, main)?.match(/^\s*help\s*\n([\s\S]*)$/m)?.[1] ?? '';
  const helpLines = help.split('\n').map((l) => l.trim());
  const url = helpLines.find((l) => /^https?:\/\//.test(l)) ?? null;
  const description = helpLines.join(' ').replace(/https?:\/\/\S+/g, '').replace(/\s+/g, ' ').trim().split(/(?<=\.)\s/)[0] || null;
  const options: BuildrootOption[] = [];
  for (const m of config.matchAll(/^config\s+(BR2_PACKAGE_\w+)\s*$/gm)) {
    if (m[1] === main || !m[1].startsWith(`${main}_`)) continue;
    const block = blockOf(config, m[1]) ?? '';
    const bool = block.match(/^\s*bool\s+"([^"]*)"/m);
    if (!bool) continue;
    options.push({ symbol: m[1], prompt: bool[1], defaultOn: /^\s*default\s+y\s*(#.*)?$/m.test(block) });
  }
  const dependencies = (variable('DEPENDENCIES') ?? '').split(/\s+/).filter((d) => d && !d.startsWith('host-') && !d.includes('$'));
  return { version: variable('VERSION'), license: variable('LICENSE'), homepage: url, description, dependencies, options };
}

function blockOf(config: string, symbol: string): string | undefined {
  const start = config.search(new RegExp(`^(?:menu)?config\\s+${symbol}\\s*$`, 'm'));
  if (start < 0) return undefined;
  const rest = config.slice(start);
  const end = rest.slice(1).search(/^(config|menuconfig|if|endif|choice|endchoice|menu|endmenu|comment|source)\b/m);
  return end < 0 ? rest : rest.slice(0, end + 1);
}
