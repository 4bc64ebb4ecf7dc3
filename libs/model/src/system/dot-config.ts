import { readFileSync } from 'node:fs';
import { NbprError } from '../errors';

/** A Buildroot .config: the Buildroot version from its header, and every symbol's raw value. */
export interface DotConfig {
  buildrootVersion: string | null;
  /** Raw values as written after '=' ('y', 'm', '"quoted"', '123', '0x1f'); 'n' for `# SYM is not set`. */
  symbols: Map<string, string>;
}

const HEADER = /^# Buildroot (\S+) Configuration$/;
// Any Kconfig name, not only BR2_: BR2_EXTERNAL trees add their own symbols (nerves_system_br
// writes NERVES_SYSTEM="BR2_EXTERNAL" into every Nerves system's .config).
const ASSIGNMENT = /^([A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# ([A-Za-z0-9_]+) is not set$/;

export function parseDotConfig(text: string, file = '.config'): DotConfig {
  let buildrootVersion: string | null = null;
  const symbols = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    let m: RegExpMatchArray | null;
    if ((m = line.match(ASSIGNMENT))) symbols.set(m[1], m[2]);
    else if ((m = line.match(NOT_SET))) symbols.set(m[1], 'n');
    else if ((m = line.match(HEADER))) buildrootVersion ??= m[1];
    else if (!line.startsWith('#')) {
      throw new NbprError(`not a Kconfig line: ${JSON.stringify(line.slice(0, 80))}`, {
        where: `${file}:${i + 1}`,
        hint: 'A .config holds only SYMBOL=value lines and comments; regenerate it with make olddefconfig.',
      });
    }
  }
  return { buildrootVersion, symbols };
}

export function readDotConfigFile(path: string): DotConfig {
  return parseDotConfig(readFileSync(path, 'utf8'), path);
}

/** The value of a Kconfig string ('"a \"b\""' -> 'a "b"'). */
export function unquoteKconfigString(raw: string): string {
  if (!(raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"'))) return raw;
  return raw.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function quoteKconfigString(value: string): string {
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** A .config fragment: sorted lines, 'n' written as Buildroot writes an unset symbol. */
export function renderDotConfigFragment(symbols: Record<string, string>): string {
  return Object.keys(symbols)
    .sort()
    .map((s) => (symbols[s] === 'n' ? `# ${s} is not set` : `${s}=${symbols[s]}`))
    .join('\n') + '\n';
}
