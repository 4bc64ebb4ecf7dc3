export { readElfDynamic } from './elf';
export { extractArtefact } from './extract';
export { ARTEFACT_FILE } from './format';
export { validateArtefactMetadata } from './metadata';
export { type ArtefactConfig, artefactManifest, parseArtefactConfig, parseArtefactManifest, readArtefactConfig } from './oci-artefact';
export { packArtefact, type PackResult } from './pack';
export { ArtefactStore, openStore, SOURCE_BUILD } from './store';
