import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { displayPath } from './display-path';
import { NbprError } from './errors';
import { writeFailure } from './fs-failure';

/**
 * Writes a file so that readers see either the old content or the whole new content, never
 * a half-written file: temporary sibling, fsync, rename.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw cannotWrite(path, error);
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw cannotWrite(path, error);
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** A file system failure as the user's to fix (what is in the way, a permission); anything else unchanged. */
function cannotWrite(path: string, error: unknown): unknown {
  const failure = writeFailure(path, error);
  if (!failure) return error;
  return new NbprError(`cannot write the file: ${failure.what}`, { code: 'file/cannot-write', where: displayPath(path), hint: failure.hint, cause: error });
}
