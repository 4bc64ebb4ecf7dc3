/**
 * How long a Retry-After header asks to wait, in milliseconds. HTTP says seconds or an
 * HTTP-date; GHCR has been seen sending milliseconds, so a number above 1000 is read as
 * milliseconds (no registry asks for a 17-minute wait in seconds). Undefined when absent or
 * unreadable.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    return n > 1000 ? n : n * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
