/**
 * A URL as it may appear in output: no user info, no query (signed storage URLs carry their
 * credentials there). Credentials never reach an error message or a log line.
 */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '<invalid URL>';
  }
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** Request or response headers for a debug line, with every credential-bearing value hidden. */
export function redactHeaders(headers: Record<string, string> | Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Symbol.iterator in headers ? (headers as Iterable<[string, string]>) : Object.entries(headers)) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) out[name] = value;
    else out[name] = `${value.split(' ')[0]} <redacted>`;
  }
  return out;
}

/**
 * Free text (an error from a lower layer, say) made safe to print: URLs lose user info and
 * query, and `Basic`/`Bearer` values are hidden. node-fetch puts the whole request URL,
 * signature included, into its error messages.
 */
export function redactText(text: string): string {
  return text
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url))
    .replace(/^([^\s/@]+)@/, '<credentials>@')
    .replace(/\/\/[^\s/@]+@/g, '//<credentials>@')
    .replace(/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 <redacted>');
}
