import { cacheKey, validateKeyDocument } from '@nbpr/key';
import { NbprError } from '@nbpr/model';
import { ARTEFACT_SCHEMA_VERSION, type ArtefactMetadata } from './format';

/** nbpr-artefact.json read back from an artefact: trusted only when whole and self-consistent. */
export function validateArtefactMetadata(value: unknown, where: string): ArtefactMetadata {
  const m = value as ArtefactMetadata;
  const fail = (what: string): never => {
    throw new NbprError(`invalid nbpr-artefact.json: ${what}`, { where, hint: 'The artefact was packed by an incompatible or broken NBPR; repack it.' });
  };
  if (typeof m !== 'object' || m === null) fail('not an object');
  if (m.schemaVersion !== ARTEFACT_SCHEMA_VERSION) fail(`schemaVersion ${JSON.stringify(m.schemaVersion)}, this NBPR reads ${ARTEFACT_SCHEMA_VERSION}`);
  try {
    validateKeyDocument(m.keyDocument);
  } catch (error) {
    fail((error as Error).message);
  }
  if (cacheKey(m.keyDocument) !== m.key) fail(`its key ${m.key} is not the hash of its key document`);
  if (!Array.isArray(m.files)) fail('files must be a list');
  if (!Array.isArray(m.sonames?.provided) || !Array.isArray(m.sonames?.needed)) fail('sonames must list provided and needed');
  if (typeof m.build?.kconfig !== 'object' || !Array.isArray(m.build?.closure)) fail('build must hold kconfig and closure');
  return m;
}
