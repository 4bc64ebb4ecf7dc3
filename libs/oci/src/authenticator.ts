import { NbprError } from '@nbpr/model';
import type { Response } from 'node-fetch';
import { parseChallenge, type Challenge } from './challenge';
import { basicAuthorization, type Credentials } from './credentials';
import { retryableStatus, send, withRetries, type HttpOptions } from './http';
import { redactUrl } from './redact';

export type Access = 'pull' | 'pull,push';

/**
 * Authorization for one registry, as the distribution spec's token flow has it: a request
 * answered 401 carries a challenge; Bearer challenges are met with a token for exactly the
 * scope needed (anonymous for pull, credentials exchanged with Basic at the realm for push),
 * Basic challenges with the credentials themselves. Tokens are cached per scope.
 */
export class Authenticator {
  private readonly tokens = new Map<string, { header: string; expires: number }>();
  private challenge: Challenge | undefined;

  constructor(
    private readonly credentials: Credentials | undefined,
    private readonly http: HttpOptions,
  ) {}

  /** The Authorization header to send for a repository and access, if one is known yet. */
  headerFor(repository: string, access: Access): string | undefined {
    if (!this.challenge) return undefined;
    if (this.challenge.scheme === 'basic') return this.credentials ? basicAuthorization(this.credentials) : undefined;
    const cached = this.tokens.get(scope(repository, access));
    return cached && cached.expires > Date.now() ? cached.header : undefined;
  }

  /** Called with a 401: learns the challenge and gets what it asks for. False if nothing more can be tried. */
  async answer(response: Response, repository: string, access: Access, url: string): Promise<boolean> {
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (!challenge) return false;
    this.challenge = challenge;
    if (challenge.scheme === 'basic') return this.credentials !== undefined;
    const wanted = scope(repository, access);
    const held = this.tokens.get(wanted);
    if (held && held.expires > Date.now()) {
      // Refused with a fresh token: another token will not do better.
      this.tokens.delete(wanted);
      return false;
    }
    await this.fetchToken(challenge, wanted, url);
    return true;
  }

  private async fetchToken(challenge: Challenge, wanted: string, url: string): Promise<void> {
    const realm = challenge.params.realm;
    if (!realm) throw new NbprError('the registry asked for a bearer token but named no realm', { where: redactUrl(url) });
    const tokenUrl = new URL(realm);
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', wanted);
    const headers: Record<string, string> = {};
    if (this.credentials) headers.Authorization = basicAuthorization(this.credentials);
    const body = await withRetries(this.http.retry, `token request to ${redactUrl(tokenUrl)}`, async () => {
      const response = await send({ method: 'GET', url: tokenUrl.href, headers }, this.http);
      const retry = retryableStatus(response, tokenUrl.href);
      if (retry) throw retry;
      if (response.status === 401 || response.status === 403) {
        response.body?.resume();
        throw new NbprError(`the token service refused ${this.credentials ? 'the credentials' : 'anonymous access'} for ${wanted} (HTTP ${response.status})`, {
          where: redactUrl(tokenUrl),
          hint: this.credentials ? 'Check NBPR_REGISTRY_USERNAME/NBPR_REGISTRY_TOKEN (or GITHUB_TOKEN) and their permissions.' : 'Set NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN (GITHUB_TOKEN for ghcr.io).',
        });
      }
      if (!response.ok) throw new NbprError(`token request failed with HTTP ${response.status}`, { where: redactUrl(tokenUrl) });
      return (await response.json()) as { token?: string; access_token?: string; expires_in?: number };
    });
    const token = body.token ?? body.access_token;
    if (!token) throw new NbprError('the token service answered without a token', { where: redactUrl(tokenUrl) });
    // Expire a little early so that a token is never sent just as it lapses.
    this.tokens.set(wanted, { header: `Bearer ${token}`, expires: Date.now() + Math.max(30, (body.expires_in ?? 300) - 30) * 1000 });
  }
}

function scope(repository: string, access: Access): string {
  return `repository:${repository}:${access}`;
}
