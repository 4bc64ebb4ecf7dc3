import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';

export interface LockOptions {
  /** How long a waiter sleeps between attempts, at first (it backs off to 8x). */
  pollMs?: number;
  /**
   * A lock not refreshed for this long is stale. The holder refreshes it every quarter of
   * this, so only a dead holder, a holder on a host whose pids cannot be checked, or one
   * whose event loop has been blocked that long loses it. 60 s by default.
   */
  staleMs?: number;
  /** Called once when the lock is found held by a live holder, with who holds it. */
  onWait?: (holder: string) => void;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

interface SeenLock {
  text: string;
  mtimeMs: number;
}

/** How long a lock breaker may take before its own marker is stale: it holds it for two syscalls. */
const BREAKER_STALE_MS = 10_000;

/**
 * Runs `fn` holding `lock`: a file created with O_EXCL holding the holder's pid, host and a
 * random token. Others wait for it. A stale lock (its holder dead on this host, or not
 * refreshed for `staleMs`) is taken over, through a breaker file so that two waiters never
 * both take over: the second would otherwise delete the lock the first just took.
 */
export async function withLockFile<T>(lock: string, fn: () => Promise<T>, options: number | LockOptions = {}): Promise<T> {
  const opts = typeof options === 'number' ? { pollMs: options } : options;
  const release = await acquireLock(lock, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Takes `lock`, waiting as long as it takes; resolves to its release. */
export async function acquireLock(lock: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const pollMs = options.pollMs ?? 50;
  let waited = false;
  for (let attempt = 0; ; attempt++) {
    const release = await tryLock(lock, options);
    if (release) return release;
    if (!waited && options.onWait) {
      const holder = await readHolder(lock);
      if (holder) options.onWait(`pid ${holder.pid} on ${holder.host}`);
    }
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, pollMs * Math.min(8, 1 + Math.floor(attempt / 10))));
  }
}

/**
 * Takes `lock` if it is free or stale, without waiting: its release, or undefined when a live
 * holder has it.
 */
export async function tryLock(lock: string, options: LockOptions = {}): Promise<(() => Promise<void>) | undefined> {
  const staleMs = options.staleMs ?? 60_000;
  const text = JSON.stringify({ pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') } satisfies Holder);
  for (let tries = 0; tries < 2; tries++) {
    try {
      const handle = await open(lock, 'wx');
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      return holdLock(lock, text, staleMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const seen = await readLock(lock);
    if (seen === undefined) continue;
    if (!isStale(seen, staleMs)) return undefined;
    await breakLock(lock, seen, staleMs);
  }
  return undefined;
}

/** Keeps the lock fresh while held; the release removes it only if it is still ours. */
function holdLock(lock: string, text: string, staleMs: number): () => Promise<void> {
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lock, now, now).catch(() => undefined);
  }, Math.max(10, staleMs / 4));
  heartbeat.unref();
  return async () => {
    clearInterval(heartbeat);
    if ((await readLock(lock))?.text === text) await unlink(lock).catch(() => undefined);
  };
}

async function readLock(lock: string): Promise<SeenLock | undefined> {
  try {
    const [text, s] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    return { text, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

async function readHolder(lock: string): Promise<Holder | undefined> {
  const seen = await readLock(lock);
  return seen ? parseHolder(seen.text) : undefined;
}

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

function isStale(seen: SeenLock, staleMs: number): boolean {
  if (Date.now() - seen.mtimeMs > staleMs) return true;
  const holder = parseHolder(seen.text);
  // An empty or partial lock is a holder between its open and its write: young, so alive.
  if (!holder) return false;
  return holder.host === hostname() && !processAlive(holder.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock, unless it changed since it was judged stale. The breaker file makes
 * the check-and-unlink atomic among breakers: without it, a second waiter that judged the
 * same stale lock could unlink the fresh one the first waiter created after breaking it.
 */
async function breakLock(lock: string, seen: SeenLock, staleMs: number): Promise<void> {
  const breaker = `${lock}.break`;
  try {
    await (await open(breaker, 'wx')).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A breaker that died between its two syscalls: remove its marker; the next round breaks the lock.
    const s = await stat(breaker).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > BREAKER_STALE_MS) await unlink(breaker).catch(() => undefined);
    return;
  }
  try {
    const now = await readLock(lock);
    if (now && now.text === seen.text && isStale(now, staleMs)) await unlink(lock).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}
