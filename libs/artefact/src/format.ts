import type { KeyDocument } from '@nbpr/key';

/** The metadata file at the root of every artefact tarball, before any other entry. */
export const ARTEFACT_FILE = 'nbpr-artefact.json';
export const ARTEFACT_SCHEMA_VERSION = 1 as const;

/** Top-level directories an artefact may hold (DESIGN.md "Artefacts"). */
export const ARTEFACT_ROOTS = ['target', 'rootfs', 'staging', 'legal-info'] as const;

export type ArtefactFile =
  | { path: string; type: 'file'; mode: number; size: number; sha256: string }
  | { path: string; type: 'symlink'; mode: number; target: string }
  | { path: string; type: 'directory'; mode: number };

/** nbpr-artefact.json, schema 1. */
export interface ArtefactMetadata {
  schemaVersion: typeof ARTEFACT_SCHEMA_VERSION;
  key: string;
  keyDocument: KeyDocument;
  /** Every entry of the tarball but this file, in tarball order. */
  files: ArtefactFile[];
  /** DT_SONAMEs of the shared libraries under target/, and the DT_NEEDED of its ELF files. */
  sonames: { provided: string[]; needed: string[] };
  /** The build facts conflict-check reads: resolved kconfig of the dependency closure, and the closure. */
  build: { kconfig: Record<string, string>; closure: string[] };
}
