import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { NbprError } from '@nbpr/model';
import { encodeImageManifest, OCI_EMPTY_JSON, OCI_MANIFEST, sha256Digest, type ArtefactRepository, type ImageManifest } from '@nbpr/oci';

export const NX_CACHE_ARTIFACT_TYPE = 'application/vnd.nbpr.nx-cache.v1';
const EMPTY_CONFIG = Buffer.from('{}');
const OUTPUT_TYPE = 'application/vnd.nbpr.nx-cache.output.v1.tar';
const HASH = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export interface CacheServerOptions {
  /** Where task outputs are kept: one tag per Nx task hash. */
  repository: ArtefactRepository;
  /** Bearer token clients must send (NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN on their side). */
  token: string;
  log?: (line: string) => void;
  /** Also log every request with its status and duration. */
  verbose?: boolean;
}

/**
 * Nx's self-hosted remote cache API over an OCI repository: PUT /v1/cache/{hash} stores the
 * task's output archive as an artefact tagged with the hash, GET returns it. A PUT answers 200
 * (Nx 24 retries on 202), an existing hash 409 (task outputs are immutable like artefacts),
 * a missing token 401 and a wrong one 403. The token is compared in constant time and never
 * logged.
 */
export function createCacheServer(options: CacheServerOptions): Server {
  const log = options.log ?? (() => undefined);
  const expected = Buffer.from(`Bearer ${options.token}`);
  return createServer((req, res) => {
    if (options.verbose) {
      const start = process.hrtime.bigint();
      res.on('close', () => log(`cache-server: ${req.method} ${req.url} -> ${res.statusCode}${res.writableFinished ? '' : ' (connection closed early)'} in ${Number(process.hrtime.bigint() - start) / 1e6} ms`));
    }
    handle(req, res).catch((error: unknown) => {
      log(`cache-server: ${req.method} ${req.url}: ${error instanceof NbprError ? error.format() : String(error)}`);
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('the registry behind this cache failed\n');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = req.url?.match(/^\/v1\/cache\/([^/?]+)$/);
    if (!match || !HASH.test(match[1])) return void res.writeHead(404).end();
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length === 0) return void res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return void res.writeHead(403).end();
    const hash = match[1];
    if (req.method === 'GET') return get(hash, res);
    if (req.method === 'PUT') return put(hash, req, res);
    res.writeHead(405, { Allow: 'GET, PUT' }).end();
  }

  async function get(hash: string, res: ServerResponse): Promise<void> {
    const descriptor = await options.repository.resolveTag(hash);
    if (!descriptor) return void res.writeHead(404).end();
    const manifest = JSON.parse((await options.repository.getManifest(descriptor.digest)).bytes.toString('utf8')) as ImageManifest;
    if (manifest.artifactType !== NX_CACHE_ARTIFACT_TYPE || manifest.layers.length !== 1) return void res.writeHead(404).end();
    const dir = await mkdtemp(join(tmpdir(), 'nbpr-cache-get-'));
    try {
      const file = join(dir, 'output');
      await options.repository.fetchBlob(manifest.layers[0], file);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String((await stat(file)).size) });
      await pipeline(createReadStream(file), res);
      log(`cache-server: hit ${hash}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function put(hash: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await options.repository.resolveTag(hash)) {
      req.resume();
      return void res.writeHead(409).end();
    }
    const dir = await mkdtemp(join(tmpdir(), 'nbpr-cache-put-'));
    try {
      const file = join(dir, `output-${randomBytes(4).toString('hex')}`);
      const digest = createHash('sha256');
      let size = 0;
      await pipeline(
        req,
        new Transform({
          transform(chunk: Buffer, _e, callback) {
            digest.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        createWriteStream(file),
      );
      const layer = `sha256:${digest.digest('hex')}`;
      const configDigest = sha256Digest(EMPTY_CONFIG);
      await options.repository.pushBlob({ bytes: EMPTY_CONFIG }, configDigest, EMPTY_CONFIG.length);
      await options.repository.pushBlob({ file }, layer, size);
      const manifest = encodeImageManifest({
        artifactType: NX_CACHE_ARTIFACT_TYPE,
        config: { mediaType: OCI_EMPTY_JSON, digest: configDigest, size: EMPTY_CONFIG.length },
        layers: [{ mediaType: OUTPUT_TYPE, digest: layer, size }],
        annotations: { 'dev.nbpr.nx-cache.hash': hash },
      });
      await options.repository.pushManifest(hash, manifest.bytes, OCI_MANIFEST);
      res.writeHead(200).end();
      log(`cache-server: stored ${hash} (${size} bytes)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
