import { existsSync, readFileSync } from 'node:fs';
import { NbprError, writeJsonAtomic } from '@nbpr/model';

/**
 * The sha256 of every Buildroot and nerves_system_br tarball and Nerves system or toolchain
 * artefact NBPR downloaded for the workspace,
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
    throw new NbprError(`not valid JSON: ${(error as Error).message}`, { code: 'download/invalid-lock-file', where: file, hint: 'Restore it from version control; it records the sha256 of downloaded Buildroot sources.' });
  }
  const files = parsed.files ?? {};
  for (const [name, value] of Object.entries(files)) {
    if (typeof value !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(value)) throw new NbprError(`files/${name} must be "sha256:<64 hex digits>"`, { code: 'download/invalid-lock-file', where: file, hint: 'Restore it from version control.' });
  }
  return { file, files };
}

/** The lock file's name at the workspace root. */
export const SOURCES_LOCK_FILE = 'nbpr.sources.lock.json';

/** Where a sha256 a download must have comes from, other than the lock file: NBPR's own pin, nx.json, GitHub's asset digest. */
export interface Pin {
  sha256: string;
  /** Who says so, for the message: "NBPR pins", "nx.json systems[...].sha256 says". */
  by: string;
}

/**
 * Checks a downloaded file against its pin and the lock file, and records it there on first
 * use: a file is trusted only when every source that knows its hash agrees.
 */
export async function verifyOrRecord(lock: SourcesLock, name: string, sha256: string, pin?: Pin): Promise<'locked' | 'recorded'> {
  const actual = `sha256:${sha256}`;
  const refuse = (expected: string, by: string, where: string): never => {
    throw new NbprError(`${name} has ${actual}, but ${by} ${expected}`, {
      code: 'download/checksum-mismatch',
      where,
      hint: 'The download is not the file used before (corrupt, or changed upstream): NBPR deleted it and will not use it. Run again to download it again, or, if the change is expected, remove its entry from the lock file.',
    });
  };
  if (pin && `sha256:${pin.sha256}` !== actual) refuse(`sha256:${pin.sha256}`, pin.by, name);
  const locked = lock.files[name];
  if (locked && locked !== actual) refuse(locked, 'the workspace recorded', `${lock.file} /files/${name}`);
  if (locked) return 'locked';
  const current = readSourcesLock(lock.file);
  current.files[name] = actual;
  await writeJsonAtomic(lock.file, { $comment: 'sha256 of the sources and Nerves artefacts NBPR downloaded (Buildroot, nerves_system_br, systems, toolchains), recorded on first download (commit this file)', files: Object.fromEntries(Object.entries(current.files).sort()) });
  lock.files[name] = actual;
  return 'recorded';
}
