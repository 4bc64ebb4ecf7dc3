import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after } from 'node:test';

export interface ReleaseServer {
  /** Stands in for https://github.com (NBPR_GITHUB_URL). */
  web: string;
  /** Stands in for https://api.github.com (NBPR_GITHUB_API_URL). */
  api: string;
  /** Puts a file into the release `tag` of `repo`; GitHub's sha256 digest is listed unless told otherwise. */
  publish(repo: string, tag: string, name: string, bytes: Buffer, options?: { digest?: string | null }): void;
  /** The next `times` downloads of `name` stop after `bytes` bytes, the connection dropped. */
  cut(name: string, bytes: number, times?: number): void;
  /** Every request: path, its Range header and whether it carried Authorization. */
  requests: Array<{ path: string; range?: string; authorization: boolean }>;
}

/**
 * A loopback stand-in for GitHub releases: the API's release-by-tag listing (assets with their
 * digest) and release downloads, with HTTP Range as GitHub's storage serves it, and transfers
 * that break part way. Closed when the test file ends.
 */
export async function startReleaseServer(): Promise<ReleaseServer> {
  const files = new Map<string, Buffer>();
  const releases = new Map<string, Array<{ name: string; digest: string | null }>>();
  const cuts = new Map<string, { bytes: number; times: number }>();
  const requests: ReleaseServer['requests'] = [];
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push({ path, range: req.headers.range, authorization: Boolean(req.headers.authorization) });
    const listing = path.match(/^\/api\/repos\/([^/]+\/[^/]+)\/releases\/tags\/([^/]+)$/);
    if (listing) {
      const assets = releases.get(`${listing[1]}@${listing[2]}`);
      if (!assets) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tag_name: listing[2], assets: assets.map((a) => ({ name: a.name, ...(a.digest ? { digest: a.digest } : {}) })) }));
    }
    const body = files.get(path);
    if (!body) return void res.writeHead(404).end('Not Found');
    const range = req.headers.range?.match(/^bytes=(\d+)-$/);
    const start = range ? Number(range[1]) : 0;
    if (start >= body.length && range) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    const part = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': String(part.length),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    const name = path.slice(path.lastIndexOf('/') + 1);
    const cut = cuts.get(name);
    if (cut && cut.times > 0) {
      cut.times--;
      res.write(part.subarray(0, cut.bytes), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(part);
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    web: origin,
    api: `${origin}/api`,
    requests,
    publish(repo, tag, name, bytes, options = {}) {
      files.set(`/${repo}/releases/download/${tag}/${name}`, bytes);
      const digest = options.digest === undefined ? `sha256:${createHash('sha256').update(bytes).digest('hex')}` : options.digest;
      const assets = releases.get(`${repo}@${tag}`) ?? [];
      releases.set(`${repo}@${tag}`, [...assets.filter((a) => a.name !== name), { name, digest }]);
    },
    cut(name, bytes, times = 1) {
      cuts.set(name, { bytes, times });
    },
  };
}
