import type { BlobSource } from './blob-upload';
import type { Descriptor } from './media-types';

/** A fetched manifest: its exact bytes (digests are over bytes, never over re-serialised JSON). */
export interface ManifestBytes {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

/**
 * One package's repository, wherever it lives: a remote registry (RegistryRepository) or an
 * OCI image-layout directory (LayoutRepository). Callers try sites in order without caring
 * which kind each is; every read is verified against its digest, every write lands whole or
 * not at all.
 */
export interface ArtefactRepository {
  /** For messages: registry/repository without credentials, or a directory. */
  readonly location: string;
  /** The manifest a tag points to, or null when the tag does not exist. */
  resolveTag(tag: string): Promise<Descriptor | null>;
  /** A manifest by tag or digest, its bytes hashed and checked. */
  getManifest(reference: string): Promise<ManifestBytes>;
  /** Downloads a blob to `file`: temporary sibling, digest and size verified while streaming, then rename. */
  fetchBlob(descriptor: Pick<Descriptor, 'digest' | 'size'>, file: string): Promise<void>;
  /** A small blob (a config) in memory, verified. */
  getBlobBytes(descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer>;
  hasBlob(digest: string): Promise<boolean>;
  /** Stores a blob unless it is there already. */
  pushBlob(blob: BlobSource, digest: string, size: number): Promise<void>;
  /** Stores a manifest under a tag (replacing the tag); resolves to its digest. */
  pushManifest(tag: string, bytes: Buffer, mediaType: string): Promise<string>;
  listTags(): Promise<string[]>;
}
