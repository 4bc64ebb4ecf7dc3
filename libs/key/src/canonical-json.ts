import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON: the one serialisation every NBPR implementation must agree
 * on byte for byte, so that the same key document always hashes to the same key.
 */
export function canonicalJson(value: unknown): string {
  assertRepresentable(value, '', new Set());
  const text = canonicalize(value);
  if (text === undefined) throw new Error('canonical JSON: the value has no JSON representation');
  return text;
}

// A lone UTF-16 surrogate: in 'u' mode a well-formed pair is one code point and never matches.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * `canonicalize`, like JSON.stringify, silently drops or rewrites what JSON cannot hold
 * (undefined members vanish, a Map becomes {}, a function member yields invalid text, a cycle
 * overflows the stack). A key must never hash such a lossy form, so these are refused here,
 * each with the JSON-pointer-like path of the offending value.
 */
function assertRepresentable(value: unknown, at: string, ancestors: Set<object>): void {
  const where = at || '/';
  switch (typeof value) {
    case 'undefined':
      throw new Error(`canonical JSON: undefined at ${where} has no JSON representation`);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`canonical JSON: ${value} at ${where} is not a finite number`);
      return;
    case 'string':
      // RFC 8785 restricts data to I-JSON (RFC 7493), which forbids unpaired surrogates.
      if (LONE_SURROGATE.test(value)) throw new Error(`canonical JSON: the string at ${where} holds a lone UTF-16 surrogate (not I-JSON)`);
      return;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new Error(`canonical JSON: a ${typeof value} at ${where} has no JSON representation`);
    case 'object': {
      if (value === null) return;
      if (ancestors.has(value)) throw new Error(`canonical JSON: the value at ${where} contains itself (a cycle has no JSON representation)`);
      // canonicalize serialises what toJSON returns (a Date becomes its ISO string), so check that.
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return assertRepresentable(toJSON.call(value), at, ancestors);
      ancestors.add(value);
      if (Array.isArray(value)) {
        value.forEach((item, i) => assertRepresentable(item, `${at}/${i}`, ancestors));
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new Error(`canonical JSON: a ${proto?.constructor?.name ?? 'non-plain'} object at ${where} has no JSON representation (use a plain object or array)`);
        }
        for (const [k, v] of Object.entries(value)) {
          if (LONE_SURROGATE.test(k)) throw new Error(`canonical JSON: a member name at ${where} holds a lone UTF-16 surrogate (not I-JSON)`);
          assertRepresentable(v, `${at}/${k}`, ancestors);
        }
      }
      ancestors.delete(value);
      return;
    }
    default:
      return;
  }
}
