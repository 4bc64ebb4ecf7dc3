import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NbprError } from '@nbpr/model';
import { ARTEFACT_FILE, ARTEFACT_ROOTS } from './format';

/** The first columns of Buildroot's legal-info manifest.csv header. */
const MANIFEST_HEADER_START = '"PACKAGE","VERSION"';

/**
 * Checks that `dir` is laid out as an artefact before a byte is packed: only the artefact
 * roots at the top (a stray file would otherwise be silently dropped), a target/ directory,
 * and a legal-info/ slice, when there is one, with Buildroot's manifest.csv header. A
 * nbpr-artefact.json already there (an extracted artefact being re-packed) is allowed: the
 * packer writes a fresh one.
 */
export async function checkArtefactLayout(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new NbprError(`cannot read the artefact tree (${(error as NodeJS.ErrnoException).code ?? error})`, { code: 'artefact/unreadable-tree', where: dir, cause: error });
  }
  const unexpected = names.filter((n) => n !== ARTEFACT_FILE && !(ARTEFACT_ROOTS as readonly string[]).includes(n)).sort();
  if (unexpected.length > 0) {
    throw new NbprError(`unexpected ${unexpected.map((n) => `'${n}'`).join(', ')} in an artefact tree`, { code: 'artefact/unexpected-entry', where: dir, hint: `An artefact holds only ${ARTEFACT_ROOTS.map((r) => `${r}/`).join(', ')} (target/ required).` });
  }
  if (!names.includes('target')) throw new NbprError('an artefact tree needs a target/ directory (it becomes the package priv/)', { code: 'artefact/no-target', where: dir });
  if (names.includes('legal-info')) {
    const manifest = join(dir, 'legal-info', 'manifest.csv');
    const first = await firstLine(manifest);
    if (first === undefined) throw new NbprError('legal-info/ has no manifest.csv', { code: 'legal/missing-manifest', where: join(dir, 'legal-info'), hint: 'A legal-info slice is laid out as Buildroot writes it: manifest.csv, licenses/<pkg>-<version>/, legal-info.sha256.' });
    if (!first.startsWith(MANIFEST_HEADER_START)) throw new NbprError(`manifest.csv does not start with Buildroot's header (${MANIFEST_HEADER_START},...)`, { code: 'legal/invalid-manifest', where: manifest });
  }
}

async function firstLine(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const buffer = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0];
  } finally {
    await handle.close();
  }
}
