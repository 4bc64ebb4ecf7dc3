export { checkDescriptor } from './descriptor-check';
export { sha256Digest } from './digest';
export { encodeImageManifest } from './image-manifest';
export { LayoutRepository } from './layout-repository';
export { type Descriptor, type ImageManifest, OCI_EMPTY_JSON, OCI_LAYER_GZIP, OCI_MANIFEST } from './media-types';
export { type RegistryOptions, RegistryRepository } from './registry-repository';
export { type ArtefactRepository, type PushManifestOptions } from './repository';
