import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** Bump when anything about the key document or its hashing changes: every key changes with it. */
export const KEY_SCHEMA_VERSION = 1 as const;

export type OptionValue = boolean | number | string;

/** Everything that affects an artefact; nothing that does not (see DESIGN.md "The cache key"). */
export interface KeyDocument {
  nbpr: typeof KEY_SCHEMA_VERSION;
  package: { name: string; version: string };
  /**
   * Buildroot package(s) built, and the kconfig fragment as raw .config values ('y', 'n' = not
   * set, '"str"', '123'). `staging: true` when the artefact also carries the package's staging
   * files for its dependants (nbpr.json exposeStaging): other content, so another key. Absent
   * otherwise, so that every key without it is what it always was.
   */
  build: { packages: string[]; kconfig: Record<string, string>; staging?: true };
  /** Resolved options, defaults applied. */
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
const KCONFIG_SYMBOL = /^[A-Za-z0-9_]+$/;
/** How a .config spells a value: bool/tristate, decimal or hex int, or a quoted string with Kconfig escapes. */
const KCONFIG_RAW = /^(?:y|n|m|-?[0-9]+|0x[0-9a-fA-F]+|"(?:[^"\\]|\\.)*")$/;

/**
 * A structural check, so that a document read back from an artefact or a registry is trusted
 * only when whole, and so that no field outside the design's list can slip into a key (a host
 * name or a description there would split the cache for nothing). Every field is exact: extra
 * members are refused at every level.
 */
export function validateKeyDocument(doc: unknown): asserts doc is KeyDocument {
  const fail = (what: string): never => {
    throw new Error(`invalid key document: ${what}`);
  };
  const record = (value: unknown, at: string, fields?: string[], optional: string[] = []): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${at} must be an object`);
    if (fields) {
      const extra = Object.keys(value).filter((k) => !fields.includes(k) && !optional.includes(k));
      if (extra.length > 0) fail(`${at} has unexpected field(s) ${extra.join(', ')}; a key holds only ${[...fields, ...optional].join(', ')}`);
      const missing = fields.filter((k) => !(k in value));
      if (missing.length > 0) fail(`${at} is missing ${missing.join(', ')}`);
    }
    return value as Record<string, unknown>;
  };
  const text = (value: unknown, at: string): void => {
    if (typeof value !== 'string' || value === '') fail(`${at} must be a non-empty string`);
  };

  const d = record(doc, 'the document');
  // Checked before the shape: a newer schema may have a different shape, and this is the useful message.
  if (d.nbpr !== KEY_SCHEMA_VERSION) fail(`key schema version mismatch: the document has nbpr ${JSON.stringify(d.nbpr)}, this NBPR reads version ${KEY_SCHEMA_VERSION}`);
  record(d, 'the document', ['nbpr', 'package', 'build', 'options', 'system', 'tree']);

  const pkg = record(d.package, 'package', ['name', 'version']);
  text(pkg.name, 'package.name');
  text(pkg.version, 'package.version');

  const build = record(d.build, 'build', ['packages', 'kconfig'], ['staging']);
  if ('staging' in build && build.staging !== true) fail(`build.staging must be true when present, got ${JSON.stringify(build.staging)}`);
  if (!Array.isArray(build.packages) || build.packages.length === 0) fail('build.packages must be a non-empty list of Buildroot package names');
  (build.packages as unknown[]).forEach((p, i) => text(p, `build.packages[${i}]`));
  for (const [symbol, value] of Object.entries(record(build.kconfig, 'build.kconfig'))) {
    if (!KCONFIG_SYMBOL.test(symbol)) fail(`build.kconfig symbol ${JSON.stringify(symbol)} is not a Kconfig symbol name`);
    if (typeof value !== 'string' || !KCONFIG_RAW.test(value)) {
      fail(`build.kconfig.${symbol} must be a raw .config value ('y', 'n', a number or a "quoted string"), got ${JSON.stringify(value)}`);
    }
  }

  for (const [name, value] of Object.entries(record(d.options, 'options'))) {
    const ok = typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) fail(`options.${name} must be a boolean, a finite number or a string, got ${typeof value === 'number' ? value : JSON.stringify(value) ?? typeof value}`);
  }

  const system = record(d.system, 'system', ['app', 'version', 'buildroot', 'config']);
  for (const field of ['app', 'version', 'buildroot'] as const) text(system[field], `system.${field}`);
  if (typeof system.config !== 'string' || !SHA256_REF.test(system.config)) fail(`system.config must be sha256:<64 lowercase hex digits>, got ${JSON.stringify(system.config)}`);

  if (d.tree !== null && (typeof d.tree !== 'string' || !SHA256_REF.test(d.tree))) fail(`tree must be null or sha256:<64 lowercase hex digits>, got ${JSON.stringify(d.tree)}`);
}
