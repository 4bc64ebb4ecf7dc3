/**
 * The `rel="next"` target of a `Link` header (RFC 8288), resolved against the page it came
 * with: registries send it relative (`</v2/x/tags/list?n=100&last=b>; rel="next"`). A next page
 * on another origin is not followed: the request would carry this registry's authorization.
 */
export function nextPage(link: string | null | undefined, current: string): string | undefined {
  if (!link) return undefined;
  for (const m of link.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rels = m[2].match(/;\s*rel\s*=\s*"?([^";]+)"?/i)?.[1].toLowerCase().split(/\s+/) ?? [];
    if (!rels.includes('next')) continue;
    const next = new URL(m[1], current);
    return next.origin === new URL(current).origin ? next.href : undefined;
  }
  return undefined;
}
