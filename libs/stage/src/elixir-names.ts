import { NbprError } from '@nbpr/model';

/** `nbpr-heartbeat` -> `NbprHeartbeat`: Elixir module name segments. */
export function camelize(name: string): string {
  return name
    .split(/[-_.]/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** The module of one daemon: NBPR.<Package>.<Daemon>, e.g. NBPR.Dnsmasq.Dnsmasq. */
export function daemonModule(pkg: string, daemon: string): string {
  const segments = [camelize(pkg), camelize(daemon)];
  // The schema restricts both names; a module name is code, so it is checked here too.
  for (const segment of segments) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(segment)) {
      throw new NbprError(`package ${pkg}, daemon ${daemon}: ${JSON.stringify(segment)} cannot name an Elixir module`, { hint: 'Daemon modules are NBPR.<Package>.<Daemon>: package and daemon names must start with a letter.' });
    }
  }
  return `NBPR.${segments.join('.')}`;
}

/** Characters that stand for themselves in an Elixir string literal, whatever surrounds them. */
const LITERAL = /^[A-Za-z0-9 .,:;_\/()+=*'!?@%&<>[\]{}|~^$-]$/u;

/**
 * An Elixir string literal holding exactly `value`. Total by construction: every character
 * outside a small set that has no meaning inside a literal (so no `"`, `\\`, `#`, newline or
 * other control character) is written as a `\\u{...}` escape, so no input can end the literal,
 * interpolate, or reach the code around it. A lone surrogate, which no Elixir string can
 * hold, becomes U+FFFD as UTF-8 would make it.
 */
export function exString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    out += LITERAL.test(char) ? char : `\\u{${(code >= 0xd800 && code <= 0xdfff ? 0xfffd : code).toString(16).toUpperCase()}}`;
  }
  return out + '"';
}

/** An Elixir term for JSON-like data: strings, numbers, booleans, nil, lists and atom-keyed maps. */
export function exTerm(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return exString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(exTerm).join(', ')}]`;
  return `%{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${/^[a-z_][a-zA-Z0-9_]*$/.test(k) ? k : exString(k)}: ${exTerm(v)}`).join(', ')}}`;
}
