export interface Challenge {
  scheme: 'bearer' | 'basic';
  /** Parameter names lower-cased: realm, service, scope, error... */
  params: Record<string, string>;
}

/**
 * Every challenge in a `WWW-Authenticate` value (RFC 9110 section 11.6.1). One header may hold
 * several (`Bearer realm="..",service="..", Basic realm=".."`), and fetch joins repeated headers
 * with ", ", so a challenge starts wherever a token is not followed by "=". Quoted values may
 * hold commas (scopes such as `repository:a:pull,push`). Unknown schemes are skipped.
 */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const out: Array<{ scheme: string; params: Record<string, string> }> = [];
  let current: { scheme: string; params: Record<string, string> } | undefined;
  const re = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*)))?\s*(?:,|$|(?=\s))/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < header.length && (m = re.exec(header))) {
    if (m[0].length === 0) break;
    const [, name, quoted, bare] = m;
    if (quoted === undefined && bare === undefined) {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
    } else if (current) {
      current.params[name.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare!;
    }
  }
  return out.filter((c): c is Challenge => c.scheme === 'bearer' || c.scheme === 'basic');
}

/** The challenge to answer: Bearer when offered (tokens scoped to one repository), else Basic. */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  const all = parseChallenges(header);
  return all.find((c) => c.scheme === 'bearer') ?? all[0];
}
