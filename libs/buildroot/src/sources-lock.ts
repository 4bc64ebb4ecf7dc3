import { existsSync, readFileSync } from 'node:fs';
import { NbprError, writeJsonAtomic } from '@nbpr/model';

/**
 * The sha256 of every Buildroot and nerves_system_br tarball NBPR downloaded for the workspace,
 * recorded on first use in a lock file the workspace commits (as package managers record
 * integrity): every later download, on any machine, must have the same bytes.
 */
export interface SourcesLock {
  file: string;
  files: Record<string, string>;
}

export function readSourcesLock(file: string): SourcesLock {
  if (!existsSync(file)) return { file, files: {} };
  let parsed: { files?: Record<string, string> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new NbprError(`not valid JSON: ${(error as Error).message}`, { where: file, hint: 'Restore it from version control; it records the sha256 of downloaded Buildroot sources.' });
  }
  const files = parsed.files ?? {};
  for (const [name, value] of Object.entries(files)) {
    if (typeof value !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(value)) throw new NbprError(`files/${name} must be "sha256:<64 hex digits>"`, { where: file, hint: 'Restore it from version control.' });
  }
  return { file, files };
}

/** Checks a downloaded file against the pin, else the lock file, else records it there. */
export async function verifyOrRecord(lock: SourcesLock, name: string, sha256: string, pinned?: string): Promise<'pinned' | 'locked' | 'recorded'> {
  const expected = pinned ? `sha256:${pinned}` : lock.files[name];
  const actual = `sha256:${sha256}`;
  if (expected && expected !== actual) {
    throw new NbprError(`${name} has ${actual}, but ${pinned ? 'NBPR pins' : 'the workspace recorded'} ${expected}`, {
      where: pinned ? name : `${lock.file} /files/${name}`,
      hint: 'The download is not the file used before (corrupt, or changed upstream): NBPR will not build from it. Delete it to download again, or, if the change is expected, remove its entry from the lock file.',
    });
  }
  if (expected) return pinned ? 'pinned' : 'locked';
  const current = readSourcesLock(lock.file);
  current.files[name] = actual;
  await writeJsonAtomic(lock.file, { $comment: 'sha256 of the Buildroot and nerves_system_br tarballs source builds use, recorded on first download (commit this file)', files: Object.fromEntries(Object.entries(current.files).sort()) });
  lock.files[name] = actual;
  return 'recorded';
}
