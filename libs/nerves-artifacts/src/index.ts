export { loadSystem } from './load-system';
export { obtainSystem, type ObtainSystemInput } from './obtain-system';
export { obtainToolchain, toolchainDownload, toolchainArtefactName, type ObtainToolchainInput } from './obtain-toolchain';
export { nervesChecksum, CHECKSUM_SHORT } from './nerves-checksum';
export { systemArtefactName, systemDownloadName, isSystemDownloadName } from './system-artefact-names';
export { nervesArtifactsDir, nervesDownloadDir, nervesDataHome } from './nerves-dirs';
export { downloadFirst, downloadResumable, partialName, sha256OfFile } from './download-file';
export { readSourcesLock, verifyOrRecord, SOURCES_LOCK_FILE, type SourcesLock, type Pin } from './sources-lock';
export { githubOrigins, releaseDownloadUrl } from './github-releases';
