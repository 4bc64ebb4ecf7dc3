export { packageFragment } from './kconfig-fragment';
export { resolveFirmware } from './resolve-firmware';
export { type OptionRequest, resolveOptions } from './resolve-options';
export { type ResolvedPackage, resolvePackage } from './resolve-package';
export { RESOLVED_SCHEMA_VERSION, type ResolvedDocument, resolveProject, summarize } from './resolve-project';
