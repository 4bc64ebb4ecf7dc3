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
  return `NBPR.${camelize(pkg)}.${camelize(daemon)}`;
}

/** An Elixir string literal. */
export function exString(value: string): string {
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/#\{/g, '\\#{') + '"';
}

/** An Elixir term for JSON-like data: strings, numbers, booleans, nil, lists and atom-keyed maps. */
export function exTerm(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return exString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(exTerm).join(', ')}]`;
  return `%{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${/^[a-z_][a-zA-Z0-9_]*$/.test(k) ? k : exString(k)}: ${exTerm(v)}`).join(', ')}}`;
}
