import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Response } from 'node-fetch';
import { NbprError } from '@nbpr/model';
import { Authenticator, type Access } from './authenticator';
import { downloadVerified } from './blob-download';
import { credentialsFor, type Credentials } from './credentials';
import { DEFAULT_HTTP_OPTIONS, retryableStatus, RetryableError, send, withRetries, type HttpOptions, type HttpRequest } from './http';
import { MANIFEST_ACCEPT, type Descriptor } from './media-types';
import { redactUrl } from './redact';
import type { ArtefactRepository, ManifestBytes } from './repository';

export interface RegistryOptions {
  http?: Partial<HttpOptions>;
  credentials?: Credentials;
  /** Blobs larger than this are uploaded in chunks of `chunkSize`. */
  chunkThreshold?: number;
  chunkSize?: number;
  /** Plain HTTP. The default for loopback registries, as Docker does. */
  insecure?: boolean;
}

/** A repository in a registry speaking the OCI distribution spec (GHCR, Distribution, ...). */
export class RegistryRepository implements ArtefactRepository {
  readonly location: string;
  private readonly base: string;
  private readonly http: HttpOptions;
  private readonly auth: Authenticator;

  constructor(
    readonly registry: string,
    readonly repository: string,
    private readonly options: RegistryOptions = {},
  ) {
    const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(registry);
    const scheme = options.insecure ?? loopback ? 'http' : 'https';
    this.base = `${scheme}://${registry}/v2/${repository}`;
    this.location = `${registry}/${repository}`;
    this.http = { ...DEFAULT_HTTP_OPTIONS, ...options.http, retry: { ...DEFAULT_HTTP_OPTIONS.retry, ...options.http?.retry } };
    this.auth = new Authenticator(options.credentials ?? credentialsFor(registry.replace(/:\d+$/, '')), this.http);
  }

  /**
   * `/v2/`: is this a registry, and which authorization does it want? A 401 is an answer
   * too: its challenge is learnt, so the first real request goes out authorized.
   */
  async ping(): Promise<void> {
    const url = this.base.replace(/\/v2\/.*$/, '/v2/');
    await withRetries(this.http.retry, `ping of ${this.registry}`, async () => {
      const response = await send({ method: 'GET', url }, this.http);
      const transient = retryableStatus(response, url);
      if (transient) throw transient;
      response.body?.resume();
      if (response.status === 401) {
        await this.auth.answer(response, this.repository, 'pull', url);
        return;
      }
      if (response.status !== 200) throw new NbprError(`${this.registry} does not answer as an OCI registry (GET /v2/ gave HTTP ${response.status})`, { where: redactUrl(url), hint: 'Check the registry address in nx.json (registry, sites).' });
    });
  }

  async resolveTag(tag: string): Promise<Descriptor | null> {
    const url = `${this.base}/manifests/${tag}`;
    const response = await this.request({ method: 'HEAD', url, headers: { Accept: MANIFEST_ACCEPT } }, 'pull', `HEAD ${this.location}:${tag}`);
    if (response.status === 404) return null;
    this.expect(response, [200], url);
    const digest = response.headers.get('docker-content-digest');
    if (!digest) {
      const manifest = await this.getManifest(tag);
      return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length };
    }
    return { mediaType: response.headers.get('content-type') ?? '', digest, size: Number(response.headers.get('content-length') ?? 0) };
  }

  async getManifest(reference: string): Promise<ManifestBytes> {
    const url = `${this.base}/manifests/${reference}`;
    return withRetries(this.http.retry, `GET ${this.location}:${reference}`, async () => {
      const response = await this.request({ method: 'GET', url, headers: { Accept: MANIFEST_ACCEPT } }, 'pull', `GET ${this.location}:${reference}`);
      if (response.status === 404) throw new NbprError(`no manifest ${reference} in ${this.location}`, { where: redactUrl(url) });
      this.expect(response, [200], url);
      const bytes = Buffer.from(await response.arrayBuffer());
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      const claimed = response.headers.get('docker-content-digest');
      if ((claimed && claimed !== digest) || (reference.startsWith('sha256:') && reference !== digest)) {
        throw new RetryableError(`manifest from ${redactUrl(url)} hashes to ${digest}, expected ${reference.startsWith('sha256:') ? reference : claimed}`);
      }
      return { bytes, digest, mediaType: response.headers.get('content-type') ?? '' };
    });
  }

  async fetchBlob(descriptor: Pick<Descriptor, 'digest' | 'size'>, file: string): Promise<void> {
    const url = `${this.base}/blobs/${descriptor.digest}`;
    await withRetries(this.http.retry, `download of ${descriptor.digest} from ${this.location}`, async () => {
      const response = await this.request({ method: 'GET', url }, 'pull', `GET blob ${descriptor.digest}`, false);
      if (response.status === 404) throw new NbprError(`blob ${descriptor.digest} is missing from ${this.location}`, { where: redactUrl(url), hint: 'The registry lost a blob its manifest names; republish the artefact.' });
      this.expect(response, [200], url);
      await downloadVerified(response.body as never, descriptor, file, this.http.idleTimeoutMs, redactUrl(url));
    });
  }

  async getBlobBytes(descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    const url = `${this.base}/blobs/${descriptor.digest}`;
    return withRetries(this.http.retry, `GET blob ${descriptor.digest}`, async () => {
      const response = await this.request({ method: 'GET', url }, 'pull', `GET blob ${descriptor.digest}`, false);
      this.expect(response, [200], url);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== descriptor.digest) throw new RetryableError(`blob from ${redactUrl(url)} does not match ${descriptor.digest}`);
      return bytes;
    });
  }

  async hasBlob(digest: string): Promise<boolean> {
    const url = `${this.base}/blobs/${digest}`;
    const response = await this.request({ method: 'HEAD', url }, 'pull', `HEAD blob ${digest}`);
    if (response.status === 404) return false;
    this.expect(response, [200], url);
    return true;
  }

  async pushBlob(blob: { file: string } | { bytes: Buffer }, digest: string, size: number): Promise<void> {
    if (await this.hasBlob(digest)) return;
    await withRetries(this.http.retry, `upload of ${digest} to ${this.location}`, async () => {
      const start = await this.request({ method: 'POST', url: `${this.base}/blobs/uploads/` }, 'pull,push', `POST upload`, false);
      this.expect(start, [202], `${this.base}/blobs/uploads/`);
      let location = this.uploadLocation(start);
      const chunkSize = this.options.chunkSize ?? 16 << 20;
      if (size > (this.options.chunkThreshold ?? 64 << 20)) {
        for (let offset = 0; offset < size; offset += chunkSize) {
          const length = Math.min(chunkSize, size - offset);
          const chunk = await readChunk(blob, offset, length);
          const patch = await this.request(
            { method: 'PATCH', url: location, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length), 'Content-Range': `${offset}-${offset + length - 1}` }, body: () => chunk },
            'pull,push',
            'PATCH upload chunk',
            false,
          );
          this.expect(patch, [202], location);
          location = this.uploadLocation(patch);
        }
        const done = await this.request({ method: 'PUT', url: withDigest(location, digest), headers: { 'Content-Length': '0' } }, 'pull,push', 'PUT upload', false);
        this.expect(done, [201], location);
        return;
      }
      const body = 'bytes' in blob ? () => blob.bytes : () => createReadStream(blob.file);
      const put = await this.request({ method: 'PUT', url: withDigest(location, digest), headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) }, body }, 'pull,push', 'PUT upload', false);
      this.expect(put, [201], location);
    });
  }

  async pushManifest(tag: string, bytes: Buffer, mediaType: string): Promise<string> {
    const url = `${this.base}/manifests/${tag}`;
    const response = await this.request({ method: 'PUT', url, headers: { 'Content-Type': mediaType }, body: () => bytes }, 'pull,push', `PUT ${this.location}:${tag}`);
    this.expect(response, [201], url);
    return response.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }

  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `${this.base}/tags/list?n=1000`;
    while (url) {
      const response = await this.request({ method: 'GET', url }, 'pull', `GET tags of ${this.location}`);
      if (response.status === 404) return tags;
      this.expect(response, [200], url);
      tags.push(...(((await response.json()) as { tags?: string[] | null }).tags ?? []));
      const next = response.headers.get('link')?.match(/<([^>]+)>;\s*rel="?next"?/);
      url = next ? new URL(next[1], url).href : undefined;
    }
    return tags;
  }

  /**
   * One request with authorization: a 401 is answered once with what its challenge asks,
   * and transient failures are retried (unless `retry` is false, for callers that retry a
   * larger unit such as a whole download or upload).
   */
  private async request(request: HttpRequest, access: Access, what: string, retry = true): Promise<Response> {
    const once = async (): Promise<Response> => {
      const attempt = async () => {
        const authorization = this.auth.headerFor(this.repository, access);
        return send({ ...request, headers: { ...request.headers, ...(authorization ? { Authorization: authorization } : {}) } }, this.http);
      };
      let response = await attempt();
      if (response.status === 401) {
        response.body?.resume();
        if (await this.auth.answer(response, this.repository, access, request.url)) response = await attempt();
      }
      if (response.status === 401 || response.status === 403) {
        response.body?.resume();
        throw new NbprError(`${what}: the registry refused access (HTTP ${response.status})`, {
          where: redactUrl(request.url),
          hint: access === 'pull' ? 'The repository may be private: set NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN (GITHUB_TOKEN for ghcr.io).' : 'Pushing needs credentials with write access: NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN (GITHUB_TOKEN with packages: write for ghcr.io).',
        });
      }
      const transient = retryableStatus(response, request.url);
      if (transient) throw transient;
      return response;
    };
    return retry ? withRetries(this.http.retry, what, once) : once();
  }

  private expect(response: Response, statuses: number[], url: string): void {
    if (statuses.includes(response.status)) return;
    response.body?.resume();
    throw new NbprError(`unexpected HTTP ${response.status} ${response.statusText}`, { where: redactUrl(url), hint: 'The registry does not behave as the OCI distribution spec says; check the registry address.' });
  }

  private uploadLocation(response: Response): string {
    const location = response.headers.get('location');
    if (!location) throw new NbprError('the registry started an upload without a Location', { where: this.location });
    return new URL(location, this.base).href;
  }
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.href;
}

async function readChunk(blob: { file: string } | { bytes: Buffer }, offset: number, length: number): Promise<Buffer> {
  if ('bytes' in blob) return blob.bytes.subarray(offset, offset + length);
  const handle = await open(blob.file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, offset);
    return buffer;
  } finally {
    await handle.close();
  }
}
