export { canonicalJson } from './canonical-json';
export { cacheKey, KEY_SCHEMA_VERSION, type KeyDocument, validateKeyDocument } from './key-document';
export { artefactTag } from './tag';
export { hashTree } from './tree-hash';
export { treeModeFacts } from './tree-mode-facts';
