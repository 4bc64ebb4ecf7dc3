import { hostname } from 'node:os';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { NbprError } from '@nbpr/model';

/** No index update takes this long: a lock older than this was left by a crashed writer. */
const STALE_MS = 30_000;
const GIVE_UP_MS = 120_000;

/**
 * Runs `fn` holding `<dir>/index.json.lock` (created with O_EXCL), so that two writers adding
 * tags to one layout at once (parallel publish tasks) do not lose each other's: the atomic
 * rename of index.json keeps readers safe, but a read-modify-write needs exclusion. A lock
 * whose holder is gone (a dead pid on this host, or older than any update takes) is taken over.
 */
export async function withLayoutLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}/index.json.lock`;
  const me = `${process.pid} ${hostname()}`;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      try {
        await handle.writeFile(me);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(lock)) {
        await unlink(lock).catch(() => undefined);
        continue;
      }
      if (Date.now() - started > GIVE_UP_MS) throw new NbprError('the image layout stays locked by another writer', { where: lock, hint: 'If no NBPR run is writing there, delete the lock file.' });
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    const [pid, host] = (await readFile(lock, 'utf8')).split(' ');
    if (host === hostname() && Number(pid) > 0 && !alive(Number(pid))) return true;
    return Date.now() - (await stat(lock)).mtimeMs > STALE_MS;
  } catch {
    // Gone (or not yet written) between our attempts: try again.
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
