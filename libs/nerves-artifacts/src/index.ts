export { downloadFirst, sha256OfFile } from './download-file';
export { loadSystem } from './load-system';
export { nervesChecksum } from './nerves-checksum';
export { nervesArtifactsDir, nervesDataHome, nervesDownloadDir } from './nerves-dirs';
export { obtainToolchain, toolchainArtefactName, toolchainDownload } from './obtain-toolchain';
export { readSourcesLock, SOURCES_LOCK_FILE, verifyOrRecord } from './sources-lock';
export { systemDownloadName } from './system-artefact-names';
export { unpackAtomically } from './unpack';
