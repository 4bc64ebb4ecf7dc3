import type { PackageMetadata } from '@nbpr/model';

/** One package as stage sees it: its metadata and its verified, extracted artefact tree. */
export interface StagedPackage {
  name: string;
  metadata: PackageMetadata;
  /** The artefact tree in the local store (target/, rootfs/, legal-info/, nbpr-artefact.json). */
  tree: string;
}
