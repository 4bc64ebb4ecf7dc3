import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { execa } from 'execa';
import { NbprError } from '@nbpr/model';

/**
 * Unpacks a release tarball as Nerves and Buildroot do (its one top directory stripped) into a
 * temporary sibling of `dir`, lets `prepare` check or complete it, then puts it in place: `dir`
 * is never half-written. A tarball that does not unpack is deleted, so that the next run
 * downloads it again.
 */
export async function unpackAtomically(tarball: string, dir: string, prepare: (temp: string) => Promise<void> = async () => undefined): Promise<void> {
  const temp = `${dir}.${process.pid}.partial`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  try {
    const result = await execa('tar', ['-xf', tarball, '-C', temp, '--strip-components=1'], { reject: false, stdin: 'ignore' });
    if (result.exitCode !== 0) {
      await rm(tarball, { force: true });
      throw new NbprError(`cannot unpack ${basename(tarball)}: ${result.stderr.trim().split('\n').slice(-2).join(' / ') || `tar exited ${result.exitCode}`}`, { code: 'download/cannot-unpack', where: tarball, hint: 'NBPR deleted it; run again to download it again.' });
    }
    await prepare(temp);
    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
