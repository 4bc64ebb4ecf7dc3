export * from './format';
export * from './elf';
export * from './metadata';
export * from './pack';
export * from './extract';
export * from './safe-path';
export * from './oci-artefact';
export * from './store';
