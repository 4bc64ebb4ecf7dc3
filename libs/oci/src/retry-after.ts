/**
 * How long a Retry-After header asks to wait, in milliseconds. HTTP says seconds or an
 * HTTP-date; GHCR has been seen sending milliseconds, so a number above 1000 is read as
 * milliseconds (no registry asks for a 17-minute wait in seconds): "2" is 2 s, "1000" is
 * 1000 s, "1500" is 1.5 s. Undefined when absent or unreadable. Whatever it says, a wait is
 * capped at the retry policy's maxDelayMs (30 s by default): a run fails rather than hangs.
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
