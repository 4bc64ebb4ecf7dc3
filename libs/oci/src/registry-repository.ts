import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Response } from 'node-fetch';
import { NbprError } from '@nbpr/model';
import { Authenticator, type Access } from './authenticator';
import { discardBody, readBody, registryErrorDetail } from './body';
import { downloadVerified } from './blob-download';
import { uploadBlob, type BlobSource } from './blob-upload';
import { credentialsFor, type Credentials } from './credentials';
import { sha256Digest } from './digest';
import { httpOptions, retryableStatus, send, type HttpOptions, type HttpRequest } from './http';
import { nextPage } from './link';
import { MANIFEST_ACCEPT, MANIFEST_LIMIT, type Descriptor } from './media-types';
import { redactUrl } from './redact';
import { checkManifestReference, checkRepositoryName, checkTag, isSha256Digest, isValidRegistryHost, parseReference, registryBaseUrl, type Reference } from './reference';
import { lostRace, type ArtefactRepository, type ManifestBytes, type PushManifestOptions } from './repository';
import { RetryableError, withRetries } from './retry';
import { unexpectedStatus } from './status-error';

export interface RegistryOptions {
  http?: Partial<HttpOptions>;
  /** Defaults to the environment's (credentialsFor). */
  credentials?: Credentials;
  /** Blobs larger than this are uploaded in chunks of `chunkSize` (64 MiB and 16 MiB by default). */
  chunkThreshold?: number;
  chunkSize?: number;
  /** Plain HTTP. The default for loopback registries, as Docker does. */
  insecure?: boolean;
  /** Tags asked for per page of a tag listing (the `n` parameter). */
  tagPageSize?: number;
}

/**
 * A repository in a registry speaking the OCI distribution spec (GHCR, Distribution, Zot...).
 * Each operation retries transient failures (network errors, timeouts, 429, 5xx, corrupt
 * downloads) with backoff, then fails with an NbprError naming the URL without credentials.
 */
export class RegistryRepository implements ArtefactRepository {
  readonly location: string;
  private readonly origin: string;
  private readonly base: string;
  private readonly http: HttpOptions;
  private readonly auth: Authenticator;

  constructor(
    readonly registry: string,
    readonly repository: string,
    private readonly options: RegistryOptions = {},
  ) {
    if (!isValidRegistryHost(registry)) throw new NbprError(`"${registry}" is not a registry host`, { code: 'oci/invalid-registry', hint: 'A registry is host[:port], e.g. ghcr.io or 127.0.0.1:5000.' });
    this.location = `${registry}/${repository}`;
    checkRepositoryName(repository, this.location);
    this.origin = registryBaseUrl(registry, options.insecure);
    this.base = `${this.origin}/v2/${repository}`;
    this.http = httpOptions(options.http);
    this.auth = new Authenticator(this.origin, options.credentials ?? credentialsFor(registry.replace(/:\d+$/, '')), this.http);
  }

  /** The repository a reference names (its tag or digest is the caller's to use). */
  static fromReference(reference: string | Reference, options: RegistryOptions = {}): RegistryRepository {
    const ref = typeof reference === 'string' ? parseReference(reference) : reference;
    return new RegistryRepository(ref.registry, ref.repository, { insecure: ref.scheme === 'http', ...options });
  }

  /**
   * `GET /v2/`: is this a registry, and which authorization does it want? A 401 is an answer
   * too: its challenge is learnt (and a pull token fetched), so later requests go out
   * authorized at once.
   */
  async ping(): Promise<void> {
    const url = `${this.origin}/v2/`;
    await withRetries(this.http.retry, `ping of ${this.registry}`, redactUrl(url), async () => {
      const response = await send({ method: 'GET', url }, this.http);
      const transient = retryableStatus(response, url);
      if (transient) throw transient;
      discardBody(response);
      if (response.status === 401) {
        await this.auth.answer(response, this.repository, 'pull', url);
        return;
      }
      if (response.status !== 200) {
        throw new NbprError(`${this.registry} does not answer as an OCI registry (GET /v2/ gave HTTP ${response.status})`, { code: 'oci/not-a-registry', where: redactUrl(url), hint: 'Check the registry address (nx.json plugin options registry and sites).' });
      }
    });
  }

  async resolveTag(tag: string): Promise<Descriptor | null> {
    checkTag(tag, `${this.location}:${tag}`);
    const url = `${this.base}/manifests/${tag}`;
    const what = `HEAD ${this.location}:${tag}`;
    const found = await withRetries(this.http.retry, what, redactUrl(url), async () => {
      const response = await this.exchange({ method: 'HEAD', url, headers: { Accept: MANIFEST_ACCEPT } }, 'pull', what);
      if (response.status !== 200 && response.status !== 404) throw await unexpectedStatus(response, url, what, this.http.idleTimeoutMs);
      discardBody(response);
      if (response.status === 404) return null;
      const digest = response.headers.get('docker-content-digest');
      const size = Number(response.headers.get('content-length') ?? NaN);
      const mediaType = response.headers.get('content-type')?.split(';')[0].trim() ?? '';
      return digest && isSha256Digest(digest) && Number.isSafeInteger(size) && mediaType ? { mediaType, digest, size } : undefined;
    });
    if (found !== undefined) return found;
    // Registries need not send a digest on HEAD: the manifest itself says.
    const manifest = await this.getManifest(tag);
    return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length };
  }

  /**
   * A manifest by tag or digest, as the exact bytes served. They are always hashed: the digest
   * returned is ours, and a `Docker-Content-Digest` that disagrees, or bytes not matching the
   * digest asked for, count as a corrupt transfer (retried, then refused).
   */
  async getManifest(reference: string): Promise<ManifestBytes> {
    checkManifestReference(reference, `${this.location}:${reference}`);
    const url = `${this.base}/manifests/${reference}`;
    const what = `GET ${this.location}${reference.includes(':') ? '@' : ':'}${reference}`;
    return withRetries(this.http.retry, what, redactUrl(url), async () => {
      const response = await this.exchange({ method: 'GET', url, headers: { Accept: MANIFEST_ACCEPT } }, 'pull', what);
      if (response.status === 404) {
        discardBody(response);
        throw new NbprError(`no manifest ${reference} in ${this.location}`, { code: 'oci/manifest-not-found', where: redactUrl(url) });
      }
      if (response.status !== 200) throw await unexpectedStatus(response, url, what, this.http.idleTimeoutMs);
      const bytes = await readBody(response, { idleTimeoutMs: this.http.idleTimeoutMs, limit: MANIFEST_LIMIT, url });
      const digest = sha256Digest(bytes);
      const claimed = response.headers.get('docker-content-digest');
      const expected = isSha256Digest(reference) ? reference : claimed && isSha256Digest(claimed) ? claimed : undefined;
      if (expected && expected !== digest) throw new RetryableError(`the manifest from ${redactUrl(url)} hashes to ${digest}, not ${expected}`);
      const mediaType = response.headers.get('content-type')?.split(';')[0].trim() || mediaTypeInside(bytes);
      return { bytes, digest, mediaType };
    });
  }

  async fetchBlob(descriptor: Pick<Descriptor, 'digest' | 'size'>, file: string): Promise<void> {
    const url = this.blobUrl(descriptor.digest);
    const what = `download of ${descriptor.digest} from ${this.location}`;
    await withRetries(this.http.retry, what, redactUrl(url), async () => {
      const response = await this.blobGet(url, descriptor, what);
      // response.url: where the bytes really come from, after redirects to storage.
      await downloadVerified(response.body as unknown as Readable, descriptor, file, this.http.idleTimeoutMs, redactUrl(response.url || url));
    });
  }

  async getBlobBytes(descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    const url = this.blobUrl(descriptor.digest);
    const what = `download of ${descriptor.digest} from ${this.location}`;
    return withRetries(this.http.retry, what, redactUrl(url), async () => {
      const response = await this.blobGet(url, descriptor, what);
      const limit = descriptor.size >= 0 ? descriptor.size : MANIFEST_LIMIT;
      const bytes = await readBody(response, { idleTimeoutMs: this.http.idleTimeoutMs, limit, url }).catch((error: unknown) => {
        // More bytes than the descriptor says is a corrupt transfer like any other.
        if (error instanceof NbprError && descriptor.size >= 0) throw new RetryableError(`${redactUrl(url)} sent more than the ${descriptor.size} bytes expected`);
        throw error;
      });
      const digest = sha256Digest(bytes);
      if (digest !== descriptor.digest || (descriptor.size >= 0 && bytes.length !== descriptor.size)) {
        throw new RetryableError(`the blob from ${redactUrl(url)} has digest ${digest} (${bytes.length} bytes), expected ${descriptor.digest}`);
      }
      return bytes;
    });
  }

  async hasBlob(digest: string): Promise<boolean> {
    const url = this.blobUrl(digest);
    const what = `HEAD ${this.location}@${digest}`;
    return withRetries(this.http.retry, what, redactUrl(url), async () => {
      const response = await this.exchange({ method: 'HEAD', url }, 'pull', what);
      if (response.status !== 200 && response.status !== 404) throw await unexpectedStatus(response, url, what, this.http.idleTimeoutMs);
      discardBody(response);
      return response.status === 200;
    });
  }

  /** Uploads a blob unless the registry has it already; monolithic, or chunked when large. */
  async pushBlob(blob: BlobSource, digest: string, size: number): Promise<void> {
    if (!isSha256Digest(digest)) throw new NbprError(`"${digest}" is not a sha256 digest`, { code: 'oci/invalid-digest', where: this.location });
    if ('file' in blob) {
      const actual = (await stat(blob.file)).size;
      if (actual !== size) throw new NbprError(`${blob.file} is ${actual} bytes, not the ${size} its descriptor says`, { code: 'oci/blob-changed', where: blob.file, hint: 'The file changed after it was packed; pack it again.' });
    }
    if (await this.hasBlob(digest)) return;
    const uploads = `${this.base}/blobs/uploads/`;
    await withRetries(this.http.retry, `upload of ${digest} to ${this.location}`, redactUrl(uploads), () =>
      uploadBlob((request, access, what) => this.exchange(request, access, what), uploads, blob, digest, size, {
        chunkThreshold: this.options.chunkThreshold ?? 64 << 20,
        chunkSize: this.options.chunkSize ?? 16 << 20,
        idleTimeoutMs: this.http.idleTimeoutMs,
      }),
    );
  }

  /**
   * PUTs a manifest under a tag; resolves to its digest (ours, checked against the registry's).
   * With `onlyIfUntagged`, the write counts only once the tag has held it for longer than
   * another publisher's check-then-write takes, since a registry has no compare-and-swap.
   */
  async pushManifest(tag: string, bytes: Buffer, mediaType: string, options: PushManifestOptions = {}): Promise<string> {
    checkManifestReference(tag, `${this.location}:${tag}`);
    const url = `${this.base}/manifests/${tag}`;
    const what = `PUT ${this.location}:${tag}`;
    const digest = sha256Digest(bytes);
    const started = Date.now();
    await withRetries(this.http.retry, what, redactUrl(url), async () => {
      const response = await this.exchange({ method: 'PUT', url, headers: { 'Content-Type': mediaType }, body: () => bytes }, 'pull,push', what);
      if (response.status !== 201) {
        throw await unexpectedStatus(response, url, what, this.http.idleTimeoutMs, response.status === 400 ? 'The registry refused the manifest: are all the blobs it names pushed, and is its media type one the registry takes?' : undefined);
      }
      discardBody(response);
      const stored = response.headers.get('docker-content-digest');
      if (stored && stored !== digest) throw new NbprError(`${what}: the registry stored the manifest as ${stored}, not ${digest}`, { code: 'oci/digest-rewritten', where: redactUrl(url), hint: 'The registry rewrote the manifest; NBPR needs registries that keep manifests byte for byte.' });
    });
    if (options.onlyIfUntagged) {
      const settle = Math.max(options.settleMs ?? 1000, 2 * (Date.now() - started));
      for (const wait of [0, settle]) {
        if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
        const now = await this.resolveTag(tag);
        if (now?.digest !== digest) throw lostRace(`${this.location}:${tag}`, now?.digest, digest);
      }
    }
    return digest;
  }

  /** Every tag, following the `Link: <...>; rel="next"` pages. A repository not there has none. */
  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `${this.base}/tags/list?n=${this.options.tagPageSize ?? 1000}`;
    const what = `tag listing of ${this.location}`;
    for (let page = 0; url; page++) {
      if (page >= 10_000) throw new NbprError(`${what} does not end`, { code: 'oci/bad-response', where: redactUrl(url), hint: 'The registry keeps sending a next page; report it to its operator.' });
      const pageUrl: string = url;
      const { names, next } = await withRetries(this.http.retry, what, redactUrl(pageUrl), async () => {
        const response = await this.exchange({ method: 'GET', url: pageUrl }, 'pull', what);
        if (response.status === 404) {
          discardBody(response);
          return { names: [], next: undefined };
        }
        if (response.status !== 200) throw await unexpectedStatus(response, pageUrl, what, this.http.idleTimeoutMs);
        const body = await readBody(response, { idleTimeoutMs: this.http.idleTimeoutMs, limit: 16 << 20, url: pageUrl });
        let parsed: { tags?: string[] | null };
        try {
          parsed = JSON.parse(body.toString('utf8')) as { tags?: string[] | null };
        } catch {
          throw new NbprError(`${what}: the registry answered with something other than JSON`, { code: 'oci/bad-response', where: redactUrl(pageUrl) });
        }
        return { names: parsed.tags ?? [], next: nextPage(response.headers.get('link'), pageUrl) };
      });
      tags.push(...names);
      url = next;
    }
    return tags;
  }

  private blobUrl(digest: string): string {
    if (!isSha256Digest(digest)) throw new NbprError(`"${digest}" is not a sha256 digest`, { code: 'oci/invalid-digest', where: this.location });
    return `${this.base}/blobs/${digest}`;
  }

  /** GET of a blob up to its 200, checking the length the server announces against the descriptor's. */
  private async blobGet(url: string, descriptor: Pick<Descriptor, 'digest' | 'size'>, what: string): Promise<Response> {
    const response = await this.exchange({ method: 'GET', url }, 'pull', what);
    if (response.status === 404) {
      discardBody(response);
      throw new NbprError(`blob ${descriptor.digest} is missing from ${this.location}`, { code: 'oci/blob-missing', where: redactUrl(url), hint: 'The registry lost a blob its manifest names; publish the artefact again.' });
    }
    if (response.status !== 200) throw await unexpectedStatus(response, url, what, this.http.idleTimeoutMs);
    const announced = Number(response.headers.get('content-length') ?? NaN);
    if (descriptor.size >= 0 && Number.isSafeInteger(announced) && announced !== descriptor.size) {
      discardBody(response);
      throw new RetryableError(`${redactUrl(url)} announced ${announced} bytes for ${descriptor.digest}, expected ${descriptor.size}`);
    }
    return response;
  }

  /**
   * One authorized exchange. A 401 is answered once with what its challenge asks (token or
   * Basic) and the request sent again; a second refusal, or a 403, is an NbprError that says
   * which credentials to set. Statuses worth retrying are thrown as RetryableErrors.
   */
  private async exchange(request: HttpRequest, access: Access, what: string): Promise<Response> {
    // Authorization goes to the registry's own origin only: an upload Location elsewhere
    // (storage behind the registry) gets none, as a redirect would not.
    const ours = new URL(request.url).origin === new URL(this.origin).origin;
    const attempt = () => {
      const authorization = ours ? this.auth.headerFor(this.repository, access) : undefined;
      return send({ ...request, headers: { ...request.headers, ...(authorization ? { Authorization: authorization } : {}) } }, this.http);
    };
    let response = await attempt();
    if (response.status === 401 && ours) {
      discardBody(response);
      if (await this.auth.answer(response, this.repository, access, request.url)) response = await attempt();
    }
    if (response.status === 401 || response.status === 403) {
      const detail = await registryErrorDetail(response, request.url, this.http.idleTimeoutMs);
      const push = access !== 'pull';
      throw new NbprError(`${what}: the registry refused ${this.auth.hasCredentials ? 'the credentials' : 'anonymous access'} (HTTP ${response.status})${detail ? ` (${detail})` : ''}`, {
        code: 'oci/access-denied',
        where: redactUrl(request.url),
        hint: this.auth.hasCredentials
          ? push
            ? 'Pushing needs credentials with write access: check NBPR_REGISTRY_USERNAME/NBPR_REGISTRY_TOKEN (GITHUB_TOKEN with packages: write for ghcr.io).'
            : 'Check NBPR_REGISTRY_USERNAME/NBPR_REGISTRY_TOKEN (GITHUB_TOKEN for ghcr.io) and their access to this repository.'
          : push
            ? 'Pushing needs credentials with write access: set NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN (GITHUB_TOKEN with packages: write for ghcr.io).'
            : 'The repository may be private: set NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN (GITHUB_TOKEN for ghcr.io).',
      });
    }
    const transient = retryableStatus(response, request.url);
    if (transient) throw transient;
    return response;
  }
}

/** The mediaType a manifest declares inside, for registries that do not send a Content-Type. */
function mediaTypeInside(bytes: Buffer): string {
  try {
    return String((JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? '');
  } catch {
    return '';
  }
}
