export * from './canonical-json';
export * from './key-document';
export * from './tree-hash';
export * from './tree-mode-facts';
export * from './tag';
