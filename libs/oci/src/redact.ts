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
