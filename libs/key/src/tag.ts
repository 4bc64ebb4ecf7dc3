/** The OCI distribution spec's tag grammar. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const TAG_MAX = 128;
const KEY = /^[0-9a-f]{64}$/;

export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

/**
 * `<version>-<systemApp>-<systemVersion>-<key16>`: readable in a registry listing, unique
 * through the key prefix (the full key is in the artefact; the prefix only has to tell tags
 * apart). Characters the grammar refuses become '_', so escaping may merge two readable parts
 * (1.0+a, 1.0~a) but never two keys. An over-long tag loses characters from its readable
 * parts, longest part first, never from the key prefix.
 */
export function artefactTag(p: { version: string; systemApp: string; systemVersion: string; key: string }): string {
  if (typeof p.key !== 'string' || !KEY.test(p.key)) throw new Error(`artefact tag: the key must be 64 lowercase hex digits, got ${JSON.stringify(p.key)}`);
  const named = { version: p.version, systemApp: p.systemApp, systemVersion: p.systemVersion };
  for (const [field, value] of Object.entries(named)) {
    if (typeof value !== 'string' || value === '') throw new Error(`artefact tag: ${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  const key16 = p.key.slice(0, 16);
  const parts = [p.version, p.systemApp, p.systemVersion].map(escapeTagPart);
  const room = TAG_MAX - key16.length - parts.length; // one '-' after each readable part
  let total = parts.reduce((n, s) => n + s.length, 0);
  // Trimming the longest part (the first of equals) one character at a time depends on the
  // input alone, and lets each part keep as much of itself as it can.
  while (total > room) {
    const longest = parts.reduce((best, s, i) => (s.length > parts[best].length ? i : best), 0);
    parts[longest] = parts[longest].slice(0, -1);
    total--;
  }
  const tag = `${parts.join('-')}-${key16}`;
  // The grammar forbids a leading '.' or '-', which the escaped parts may still start with.
  return /^[.-]/.test(tag) ? `_${tag.slice(1)}` : tag;
}

/** 'u': one '_' per code point, so an emoji does not become two. */
function escapeTagPart(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]/gu, '_');
}
