export * from './sites';
export * from './publish';
export * from './fetch-artefact';
