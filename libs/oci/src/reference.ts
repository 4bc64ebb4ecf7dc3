import { type ErrorCode, NbprError } from '@nbpr/model';
import { redactText } from './redact';

/** `host[:port]/namespace/name[:tag][@digest]`, taken apart. */
export interface Reference {
  /** host[:port], as the registry is addressed (no scheme, no credentials). */
  registry: string;
  /** The repository name inside the registry: `namespace/name`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** How the registry is spoken to: https unless loopback or asked for with an `http://` prefix. */
  scheme: 'https' | 'http';
}

// The distribution spec's grammar (distribution/reference and the OCI distribution spec):
// lower-case path components joined by `.`, `_`, `__` or runs of `-`; tags of 1 to 128 word
// characters, dots and dashes not starting with either.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN_COMPONENT = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
/** Distribution refuses longer names (registry host included). */
const NAME_MAX = 255;

export function isValidRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= NAME_MAX && name.split('/').every((c) => PATH_COMPONENT.test(c));
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** NBPR verifies sha256 only, so it addresses content by sha256 only. */
export function isSha256Digest(digest: string): boolean {
  return SHA256_DIGEST.test(digest);
}

export function isValidRegistryHost(registry: string): boolean {
  const m = registry.match(/^(\[[0-9A-Fa-f:.]+\]|[^:/[\]]+)(?::(\d{1,5}))?$/);
  if (!m) return false;
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return false;
  return m[1].startsWith('[') || m[1].split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/**
 * Loopback registries are spoken to over plain HTTP, as Docker and skopeo do for a local
 * registry: nobody puts a TLS certificate on a test registry on 127.0.0.1.
 */
export function isLoopbackRegistry(registry: string): boolean {
  return /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/i.test(registry);
}

/** `https://host[:port]` (or http:// for loopback or when asked), without a trailing slash. */
export function registryBaseUrl(registry: string, insecure?: boolean): string {
  return `${(insecure ?? isLoopbackRegistry(registry)) ? 'http' : 'https'}://${registry}`;
}

export function checkRepositoryName(repository: string, where: string): void {
  if (isValidRepositoryName(repository)) return;
  throw new NbprError(`"${repository}" is not a valid repository name`, {
    code: 'oci/invalid-repository',
    where,
    hint: 'Repository names are lower-case letters and digits in components separated by "/", joined within a component by ".", "_", "__" or "-" (the OCI distribution spec); GHCR needs owner names in lower case too.',
  });
}

export function checkTag(tag: string, where: string): void {
  if (isValidTag(tag)) return;
  throw new NbprError(`"${tag}" is not a valid tag`, { code: 'oci/invalid-tag', where, hint: 'A tag is 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-".' });
}

/** A tag or a sha256 digest: what a manifest can be asked for by. */
export function checkManifestReference(reference: string, where: string): void {
  if (reference.includes(':')) {
    if (!isSha256Digest(reference)) throw new NbprError(`"${reference}" is not a sha256 digest`, { code: 'oci/invalid-digest', where, hint: 'Digests are written sha256:<64 lower-case hex digits>.' });
    return;
  }
  checkTag(reference, where);
}

/**
 * Parses `[http://|https://]host[:port]/namespace/name[:tag][@digest]`. The registry host is
 * required (NBPR has no default registry), and credentials inside a reference are refused
 * without being echoed: they belong in the environment, where they are never printed.
 */
export function parseReference(text: string): Reference {
  const shown = redactText(text);
  const fail = (code: ErrorCode, what: string, hint?: string): never => {
    throw new NbprError(what, { code, where: shown, hint: hint ?? 'Write references as host[:port]/namespace/name[:tag][@sha256:<digest>], e.g. ghcr.io/nerves-project/nbpr-jq:1.7.1.' });
  };
  let rest = text.trim();
  let explicit: 'http' | 'https' | undefined;
  const scheme = rest.match(/^(https?):\/\//i);
  if (scheme) {
    explicit = scheme[1].toLowerCase() as 'http' | 'https';
    rest = rest.slice(scheme[0].length);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    fail('oci/invalid-reference', 'only http:// and https:// registries are supported');
  }
  const slash = rest.indexOf('/');
  if (slash < 0) fail('oci/invalid-reference', 'a reference needs a registry host and a repository');
  const registry = rest.slice(0, slash);
  if (registry.includes('@')) {
    fail('oci/credentials-in-reference', 'credentials do not belong in a registry reference', 'Remove them and set NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN (GITHUB_TOKEN for ghcr.io) instead.');
  }
  if (!isValidRegistryHost(registry) || !(registry.includes('.') || registry.includes(':') || registry === 'localhost')) {
    fail('oci/invalid-registry', `"${registry}" is not a registry host`, 'A reference starts with the registry host (and port), e.g. ghcr.io/... or 127.0.0.1:5000/...; NBPR has no default registry.');
  }
  let path = rest.slice(slash + 1);
  let digest: string | undefined;
  const at = path.indexOf('@');
  if (at >= 0) {
    digest = path.slice(at + 1);
    path = path.slice(0, at);
    if (!isSha256Digest(digest)) fail('oci/invalid-digest', `"${digest}" is not a sha256 digest`, 'Digests are written sha256:<64 lower-case hex digits>.');
  }
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!isValidTag(tag)) fail('oci/invalid-tag', `"${tag}" is not a valid tag`, 'A tag is 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-".');
  }
  if (!isValidRepositoryName(path) || registry.length + 1 + path.length > NAME_MAX) {
    fail('oci/invalid-repository', `"${path}" is not a valid repository name`, 'Repository names are lower-case path components separated by "/" (the OCI distribution spec).');
  }
  return { registry: registry.toLowerCase(), repository: path, tag, digest, scheme: explicit ?? (isLoopbackRegistry(registry) ? 'http' : 'https') };
}

export function formatReference(reference: Pick<Reference, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  return `${reference.registry}/${reference.repository}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`;
}
