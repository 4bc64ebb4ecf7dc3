import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON: the one serialisation every NBPR implementation must agree
 * on byte for byte, so that the same key document always hashes to the same key.
 */
export function canonicalJson(value: unknown): string {
  assertRepresentable(value, '');
  const text = canonicalize(value);
  if (text === undefined) throw new Error('canonical JSON: the value has no JSON representation');
  return text;
}

/** JSON.stringify would silently drop or rewrite these; a key must never hash a lossy form. */
function assertRepresentable(value: unknown, at: string): void {
  switch (typeof value) {
    case 'undefined':
      throw new Error(`canonical JSON: undefined at ${at || '/'} has no JSON representation`);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`canonical JSON: ${value} at ${at || '/'} is not a finite number`);
      return;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new Error(`canonical JSON: a ${typeof value} at ${at || '/'} has no JSON representation`);
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        value.forEach((item, i) => assertRepresentable(item, `${at}/${i}`));
        return;
      }
      for (const [k, v] of Object.entries(value)) assertRepresentable(v, `${at}/${k}`);
      return;
    default:
      return;
  }
}
