export * from './kconfig-values';
export * from './kconfig-fragment';
export * from './resolve-options';
export * from './resolve-package';
export * from './resolve-firmware';
export * from './resolve-project';
export * from './key-input-fields';
