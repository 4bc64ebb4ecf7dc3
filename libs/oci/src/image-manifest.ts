import { sha256Digest } from './digest';
import { OCI_MANIFEST, type Descriptor } from './media-types';

export interface EncodedManifest {
  bytes: Buffer;
  digest: string;
}

/**
 * An OCI 1.1 image manifest for an artifact, as the bytes to push and their digest. Fields in
 * the spec's order, no whitespace and nothing time-dependent: the same content always gives
 * the same manifest digest.
 */
export function encodeImageManifest(m: { artifactType?: string; config: Descriptor; layers: Descriptor[]; annotations?: Record<string, string> }): EncodedManifest {
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: m.artifactType, config: m.config, layers: m.layers, annotations: m.annotations }));
  return { bytes, digest: sha256Digest(bytes) };
}
