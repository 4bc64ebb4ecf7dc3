import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after } from 'node:test';
import { tempDir } from './temp';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPem: string;
  /** Every request the server answered: for checking what clients sent. */
  requests: Array<{ scope: string | null; authorized: boolean }>;
}

/**
 * A token service that behaves like GHCR's for Distribution's token auth: anonymous callers
 * get pull-only tokens, callers with the right Basic credentials get what they ask for, wrong
 * credentials get 401. Tokens are ES256 JWTs signed in raw r||s form, with the signing
 * certificate in x5c and `aud` a string, as Distribution 2.8 verifies them.
 */
export async function startTokenServer(credentials: { username: string; password: string }, options: { expiresIn?: number } = {}): Promise<TokenServer> {
  const expiresIn = options.expiresIn ?? 300;
  const dir = tempDir('nbpr-token-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=nbpr-test-token-issuer'], { stdio: 'ignore' });
  const key = createPrivateKey(readFileSync(join(dir, 'key.pem')));
  const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const certDer = new X509Certificate(certPem).raw.toString('base64');
  const service = 'nbpr-test-registry';
  const issuer = 'nbpr-test-token-issuer';
  const requests: TokenServer['requests'] = [];
  const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    const scope = url.searchParams.get('scope');
    if (scope !== null && !/^repository:[^:]+:[a-z,*]+$/.test(scope)) {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"INVALID_SCOPE"}]}');
      return;
    }
    const auth = req.headers.authorization;
    let authorized = false;
    if (auth) {
      const pair = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
      if (!auth.startsWith('Basic ') || pair !== `${credentials.username}:${credentials.password}`) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        requests.push({ scope, authorized: false });
        return;
      }
      authorized = true;
    }
    requests.push({ scope, authorized });
    const access = [];
    if (scope) {
      const [type, name, actions] = scope.split(':');
      const wanted = actions.split(',');
      access.push({ type, name, actions: authorized ? wanted : wanted.filter((a) => a === 'pull') });
    }
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [certDer] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: authorized ? credentials.username : '', aud: service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${header}.${claims}.${b64url(signature)}`;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() }));
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { realm: `http://127.0.0.1:${port}/token`, service, issuer, certPem, requests };
}
