export * from './manifest-csv';
export * from './license-map';
export * from './checksums';
export * from './validate-slice';
export * from './aggregate';
export * from './sbom';
