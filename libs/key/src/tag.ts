/** The OCI distribution spec's tag grammar. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const KEY = /^[0-9a-f]{64}$/;

export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

/**
 * `<version>-<system_app>-<system_version>-<key16>`: readable in a registry listing, unique
 * through the key prefix. Characters the grammar refuses become '_'; an over-long tag loses
 * characters from its readable parts, never from the key prefix.
 */
export function artefactTag(p: { version: string; systemApp: string; systemVersion: string; key: string }): string {
  if (!KEY.test(p.key)) throw new Error(`artefact tag: the key must be 64 lowercase hex digits, got ${JSON.stringify(p.key)}`);
  const key16 = p.key.slice(0, 16);
  const parts = [p.version, p.systemApp, p.systemVersion].map(escapeTagPart);
  const room = 128 - key16.length - parts.length; // one '-' after each readable part
  let total = parts.reduce((n, s) => n + s.length, 0);
  // Shorten the longest part first, so that each keeps as much of itself as it can.
  while (total > room) {
    const longest = parts.reduce((best, s, i) => (s.length > parts[best].length ? i : best), 0);
    parts[longest] = parts[longest].slice(0, -1);
    total--;
  }
  const tag = `${parts.join('-')}-${key16}`;
  // The grammar forbids a leading '.' or '-'.
  return /^[.-]/.test(tag) ? `_${tag.slice(1)}` : tag;
}

function escapeTagPart(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]/g, '_');
}
