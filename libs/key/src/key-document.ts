import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** Bump when anything about the key document or its hashing changes: every key changes with it. */
export const KEY_SCHEMA_VERSION = 1 as const;

export type OptionValue = boolean | number | string;

/** Everything that affects an artefact; nothing that does not (see DESIGN.md "The cache key"). */
export interface KeyDocument {
  nbpr: typeof KEY_SCHEMA_VERSION;
  package: { name: string; version: string };
  /** Buildroot package(s) built, and the kconfig fragment as raw .config values ('y', 'n' = not set, '"str"', '123'). */
  build: { packages: string[]; kconfig: Record<string, string> };
  options: Record<string, OptionValue>;
  /** config: 'sha256:<hex>' of the system's .config. */
  system: { app: string; version: string; buildroot: string; config: string };
  /** 'sha256:<hex>' of the package's BR2_EXTERNAL tree, or null for a mainline package. */
  tree: string | null;
}

/** The cache key: sha256 (64 lowercase hex digits) of the RFC 8785 canonical key document. */
export function cacheKey(doc: KeyDocument): string {
  validateKeyDocument(doc);
  return createHash('sha256').update(canonicalJson(doc), 'utf8').digest('hex');
}

const SHA256_REF = /^sha256:[0-9a-f]{64}$/;

/** A structural check, so that a document read back from an artefact or registry is trusted only when whole. */
export function validateKeyDocument(doc: unknown): asserts doc is KeyDocument {
  const fail = (what: string): never => {
    throw new Error(`invalid key document: ${what}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('not an object');
  const d = doc as Record<string, any>;
  if (d.nbpr !== KEY_SCHEMA_VERSION) fail(`key schema version is ${JSON.stringify(d.nbpr)}, this NBPR reads version ${KEY_SCHEMA_VERSION}`);
  const keys = Object.keys(d).sort().join(',');
  if (keys !== 'build,nbpr,options,package,system,tree') fail(`fields are ${keys}, expected build, nbpr, options, package, system, tree`);
  if (typeof d.package?.name !== 'string' || typeof d.package?.version !== 'string') fail('package needs a string name and version');
  if (!Array.isArray(d.build?.packages) || !d.build.packages.every((p: unknown) => typeof p === 'string')) fail('build.packages must be a list of strings');
  if (typeof d.build?.kconfig !== 'object' || d.build.kconfig === null || !Object.values(d.build.kconfig).every((v) => typeof v === 'string')) fail('build.kconfig must map symbols to raw .config values');
  if (typeof d.options !== 'object' || d.options === null || !Object.values(d.options).every((v) => ['boolean', 'number', 'string'].includes(typeof v))) fail('options must map names to booleans, numbers or strings');
  for (const field of ['app', 'version', 'buildroot'] as const) if (typeof d.system?.[field] !== 'string') fail(`system.${field} must be a string`);
  if (!SHA256_REF.test(d.system?.config)) fail('system.config must be sha256:<64 hex digits>');
  if (d.tree !== null && !SHA256_REF.test(d.tree)) fail('tree must be null or sha256:<64 hex digits>');
}
