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
        code: 'kconfig/malformed-line',
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

/** Control characters: a .config is one `SYMBOL=value` per line, so no value may hold one. */
const CONTROL = /[\u0000-\u001f\u007f]/;

export function quoteKconfigString(value: string): string {
  if (CONTROL.test(value)) {
    throw new NbprError(`a Kconfig string cannot hold control characters: ${JSON.stringify(value)}`, { code: 'kconfig/control-characters', hint: "Buildroot's .config holds one value per line; remove the newline, carriage return, tab or NUL." });
  }
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** A raw .config value NBPR writes: y, n, m, a number, or a quoted string with Kconfig's escapes. */
const RAW_VALUE = /^(?:[ynm]|-?\d+|0x[0-9a-fA-F]+|"(?:[^"\\\u0000-\u001f\u007f]|\\["\\])*")$/;

/**
 * A .config fragment: sorted lines, 'n' written as Buildroot writes an unset symbol. Every
 * symbol and value is checked, so the fragment holds exactly one line per symbol asked for.
 */
export function renderDotConfigFragment(symbols: Record<string, string>): string {
  for (const [symbol, raw] of Object.entries(symbols)) {
    if (!/^[A-Za-z0-9_]+$/.test(symbol) || !RAW_VALUE.test(raw)) {
      throw new NbprError(`refusing to write ${JSON.stringify(`${symbol}=${raw}`)} into a .config`, { code: 'kconfig/unsafe-value', hint: 'Kconfig symbols are [A-Za-z0-9_] and values y, n, m, numbers or quoted strings without control characters; check the package kconfig and options.' });
    }
  }
  return Object.keys(symbols)
    .sort()
    .map((s) => (symbols[s] === 'n' ? `# ${s} is not set` : `${s}=${symbols[s]}`))
    .join('\n') + '\n';
}
