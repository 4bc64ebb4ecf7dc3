import type { KeyDocument } from '@nbpr/key';

/**
 * The metadata file at the root of every artefact tarball. The packer writes it as the last
 * entry: it lists the sha256 of every file, computed while those files stream into the tar,
 * so packing stays one pass. Every other entry is sorted bytewise by path.
 */
export const ARTEFACT_FILE = 'nbpr-artefact.json';
export const ARTEFACT_SCHEMA_VERSION = 1 as const;

/**
 * Top-level directories an artefact may hold (DESIGN.md "Artefacts"): target/ goes to the
 * package's priv/, rootfs/ to a rootfs overlay, staging/ to dependants' builds, legal-info/
 * is a Buildroot-layout slice (manifest.csv, licenses/<pkg>-<ver>/, legal-info.sha256).
 */
export const ARTEFACT_ROOTS = ['target', 'rootfs', 'staging', 'legal-info'] as const;
export type ArtefactRoot = (typeof ARTEFACT_ROOTS)[number];

/** The only modes an artefact carries: anything else is host noise (umask, chmod g+w). */
export const DIRECTORY_MODE = 0o755;
export const EXECUTABLE_MODE = 0o755;
export const REGULAR_MODE = 0o644;
export const SYMLINK_MODE = 0o777;

/** A regular file's normalised mode: executable for everyone if anyone could execute it. */
export function normalisedFileMode(mode: number): number {
  return mode & 0o111 ? EXECUTABLE_MODE : REGULAR_MODE;
}

/**
 * One entry of the file list. Field order is part of the format: the list is serialised
 * as is, and the artefact's digests depend on it.
 */
export type ArtefactFile =
  | { path: string; type: 'file'; mode: number; size: number; sha256: string }
  | { path: string; type: 'symlink'; mode: number; target: string }
  | { path: string; type: 'directory'; mode: number };

/** nbpr-artefact.json, schema 1 (libs/artefact/schemas/nbpr-artefact.schema.json). */
export interface ArtefactMetadata {
  schemaVersion: typeof ARTEFACT_SCHEMA_VERSION;
  /** The full 64-hex cache key: sha256 of the canonical key document. */
  key: string;
  keyDocument: KeyDocument;
  /** Every entry of the tarball but this file, in tarball order (bytewise by path). */
  files: ArtefactFile[];
  /** DT_SONAMEs of the shared libraries under target/, and the DT_NEEDED of its ELF files. */
  sonames: { provided: string[]; needed: string[] };
  /** The build facts conflict-check reads: resolved kconfig of the dependency closure, and the closure. */
  build: { kconfig: Record<string, string>; closure: string[] };
}
