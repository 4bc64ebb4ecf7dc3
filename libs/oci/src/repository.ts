import { NbprError } from '@nbpr/model';
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
export interface PushManifestOptions {
  onlyIfUntagged?: boolean;
  /** How long a registry's tag must keep the manifest before the write counts (default 1 s, at least twice the write's round trip). */
  settleMs?: number;
}

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
  /**
   * Stores a manifest under a tag (replacing the tag); resolves to its digest. With
   * `onlyIfUntagged`, fails naming both manifests ("lost a race") when another manifest holds
   * the tag, as surely as the backend allows: a compare-and-swap for an image layout, a write
   * read back until it has settled for a registry (which has no compare-and-swap).
   */
  pushManifest(tag: string, bytes: Buffer, mediaType: string, options?: PushManifestOptions): Promise<string>;
  listTags(): Promise<string[]>;
}

/** A tag another publisher wrote while this one did: both manifests named, nothing claimed. */
export function lostRace(where: string, holder: string | undefined, ours: string): NbprError {
  return new NbprError(`lost a race publishing ${where}: another publisher wrote it at the same time`, {
    code: 'publish/lost-race',
    where,
    hint: `the tag now holds ${holder ?? 'nothing'}, this publish wrote ${ours}. Publish each package and system from one job at a time (the CI workflow's concurrency groups do); run publish again to see which content the tag keeps.`,
  });
}
