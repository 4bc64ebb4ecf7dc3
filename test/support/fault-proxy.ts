import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { after } from 'node:test';

export type Fault =
  | { kind: 'truncate' }
  | { kind: 'flip' }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'slow-headers'; ms: number }
  | { kind: 'stall-body'; ms: number }
  | { kind: 'redirect'; location: string };

export interface FaultRule {
  method?: string;
  path: RegExp;
  fault: Fault;
  /** How many matching requests get the fault (then they pass through); Infinity for all. */
  times: number;
}

export interface FaultProxy {
  host: string;
  add(rule: FaultRule): void;
  clear(): void;
  /** Every request seen: method, path and whether it carried Authorization. */
  seen: Array<{ method: string; path: string; authorization: boolean }>;
}

/**
 * A loopback HTTP proxy in front of a registry that breaks chosen responses the ways real
 * networks and registries do: truncated or corrupted bodies, connection resets mid-blob,
 * 503/429 with Retry-After, responses too slow, redirects to blob storage.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const seen: FaultProxy['seen'] = [];
  const sockets = new Set<import('node:net').Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    seen.push({ method: req.method ?? '', path, authorization: Boolean(req.headers.authorization) });
    const rule = rules.find((r) => r.times > 0 && (!r.method || r.method === req.method) && r.path.test(path));
    const fault = rule?.fault;
    // A body fault counts only when it is applied (to a 200): a 401 passing through does not use it up.
    const bodyFault = fault !== undefined && ['truncate', 'flip', 'reset', 'stall-body'].includes(fault.kind);
    if (rule && !bodyFault) rule.times--;
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}).end();
      return;
    }
    if (fault?.kind === 'redirect') {
      req.resume();
      res.writeHead(307, { Location: fault.location }).end();
      return;
    }
    const forward = () => {
      // The client's Host is kept, as a reverse proxy does: the registry builds the URLs it
      // hands out (upload Locations) from it, so they lead back through the proxy.
      const upstreamReq = httpRequest(`${upstream}${path}`, { method: req.method, headers: req.headers }, (up) => {
        const status = up.statusCode ?? 502;
        if (!bodyFault || status !== 200 || rule!.times <= 0) {
          res.writeHead(status, up.headers);
          up.pipe(res);
          return;
        }
        rule!.times--;
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(status, up.headers);
          if (fault.kind === 'flip') {
            body[Math.floor(body.length / 2)] ^= 0xff;
            res.end(body);
          } else if (fault.kind === 'truncate') {
            res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.end());
          } else if (fault.kind === 'reset') {
            res.write(body.subarray(0, Math.floor(body.length / 3)), () => res.socket?.resetAndDestroy());
          } else {
            res.write(body.subarray(0, Math.floor(body.length / 2)));
            setTimeout(() => res.end(body.subarray(Math.floor(body.length / 2))), fault.ms);
          }
        });
      });
      upstreamReq.on('error', () => res.destroy());
      req.pipe(upstreamReq);
    };
    if (fault?.kind === 'slow-headers') setTimeout(forward, fault.ms);
    else forward();
  };

  const server = createServer(handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as { port: number };
  return { host: `127.0.0.1:${port}`, add: (rule) => rules.push(rule), clear: () => (rules.length = 0), seen };
}
