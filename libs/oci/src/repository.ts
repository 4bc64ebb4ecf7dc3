import type { Descriptor } from './media-types';

/** A fetched manifest: its exact bytes (digests are over bytes, never over re-serialised JSON). */
export interface ManifestBytes {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

/**
 * One package's repository, wherever it lives: a remote registry or an OCI image-layout
 * directory. The pipeline tries sites in order without caring which kind each is.
 */
export interface ArtefactRepository {
  /** For messages: a URL without credentials, or a directory. */
  readonly location: string;
  /** The manifest a tag points to, or null when the tag does not exist. */
  resolveTag(tag: string): Promise<Descriptor | null>;
  getManifest(reference: string): Promise<ManifestBytes>;
  /** Downloads a blob to `file` (temp sibling, verified digest and size, then rename). */
  fetchBlob(descriptor: Pick<Descriptor, 'digest' | 'size'>, file: string): Promise<void>;
  getBlobBytes(descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer>;
  hasBlob(digest: string): Promise<boolean>;
  pushBlob(blob: { file: string } | { bytes: Buffer }, digest: string, size: number): Promise<void>;
  pushManifest(tag: string, bytes: Buffer, mediaType: string): Promise<string>;
  listTags(): Promise<string[]>;
}
