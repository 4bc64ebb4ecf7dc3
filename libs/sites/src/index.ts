export * from './sites';
export * from './publish';
export * from './fetch-artefact';
export * from './fetch-resolved';
export * from './publish-stored';
export * from './artefact-facts';
export * from './why-miss';
