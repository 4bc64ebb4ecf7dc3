export { aggregateLegalInfo } from './aggregate';
export { CHECKSUM_FILE, checksumText } from './checksums';
export { cyclonedxSbom } from './cyclonedx';
export { mapBuildrootLicense } from './license-map';
export { type ManifestRow, writeManifestText } from './manifest-csv';
export { type SbomArtefact, spdxSbom } from './sbom';
export { validateSlice } from './validate-slice';
