import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheKey, validateKeyDocument } from '@nbpr/key';
import { NbprError } from '@nbpr/model';
import { ARTEFACT_FILE, type ArtefactMetadata } from './format';
import { escapingLinkReason, unsafePathReason } from './safe-path';
import { artefactSchemaProblems } from './schema';

const HINT = 'The artefact was packed by an incompatible or broken NBPR, or altered since; repack it (or fetch it again).';

/**
 * nbpr-artefact.json read back from an artefact or a store: trusted only when it matches the
 * schema, its key is the hash of its key document, and its file list is canonical (unique,
 * sorted bytewise, safe paths, links that stay inside). Every problem is reported at once.
 */
export function validateArtefactMetadata(value: unknown, where: string): ArtefactMetadata {
  const problems = artefactSchemaProblems(value);
  if (problems.length === 0) problems.push(...semanticProblems(value as ArtefactMetadata));
  if (problems.length > 0) {
    throw new NbprError(`invalid ${ARTEFACT_FILE}:\n  ${problems.join('\n  ')}`, { code: 'artefact/invalid-metadata', where, hint: HINT });
  }
  return value as ArtefactMetadata;
}

/** The metadata of an extracted artefact tree (a store tree, or any extraction). */
export async function readArtefactMetadata(treeDir: string): Promise<ArtefactMetadata> {
  const file = join(treeDir, ARTEFACT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new NbprError(`no readable ${ARTEFACT_FILE} (${(error as NodeJS.ErrnoException).code ?? error})`, { code: 'artefact/no-metadata', where: file, hint: 'This is not an extracted NBPR artefact, or it was damaged; fetch it again.', cause: error });
  }
  return parseArtefactMetadata(text, file);
}

/** Metadata from its JSON text. */
export function parseArtefactMetadata(text: string, where: string): ArtefactMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NbprError(`${ARTEFACT_FILE} is not JSON: ${(error as Error).message}`, { code: 'artefact/invalid-metadata', where, hint: HINT });
  }
  return validateArtefactMetadata(value, where);
}

function semanticProblems(m: ArtefactMetadata): string[] {
  const problems: string[] = [];
  try {
    validateKeyDocument(m.keyDocument);
    const actual = cacheKey(m.keyDocument);
    if (actual !== m.key) problems.push(`/key: ${m.key} is not the hash of the key document (${actual})`);
  } catch (error) {
    problems.push(`/keyDocument: ${(error as Error).message}`);
  }
  let previous: Buffer | undefined;
  const links = new Set<string>();
  m.files.forEach((file, i) => {
    const unsafe = unsafePathReason(file.path);
    if (unsafe) problems.push(`/files/${i}: ${JSON.stringify(file.path)}: ${unsafe}`);
    const bytes = Buffer.from(file.path, 'utf8');
    if (previous && Buffer.compare(previous, bytes) >= 0) problems.push(`/files/${i}: ${JSON.stringify(file.path)} is ${previous.equals(bytes) ? 'listed twice' : 'out of bytewise order'}`);
    previous = bytes;
    const segments = file.path.split('/');
    for (let j = 1; j < segments.length; j++) {
      if (links.has(segments.slice(0, j).join('/'))) problems.push(`/files/${i}: ${JSON.stringify(file.path)} is inside a symlink`);
    }
    if (file.type === 'symlink') {
      const escape = escapingLinkReason(file.path, file.target);
      if (escape) problems.push(`/files/${i}: symlink ${file.path}: ${escape}`);
      links.add(file.path);
    }
  });
  return problems;
}
