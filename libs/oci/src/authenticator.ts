import type { Response } from 'node-fetch';
import { NbprError } from '@nbpr/model';
import { discardBody, readBody } from './body';
import { parseChallenge, type Challenge } from './challenge';
import { basicAuthorization, type Credentials } from './credentials';
import { retryableStatus, send, type HttpOptions } from './http';
import { redactUrl } from './redact';
import { withRetries } from './retry';

export type Access = 'pull' | 'pull,push';

/** The token spec's default when a token service does not say how long a token lives. */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Authorization for one registry, as the distribution spec's token flow has it. A request
 * answered 401 carries a challenge. A Bearer challenge is met with a token for exactly the
 * scope needed, built here (`repository:<name>:pull` or `:pull,push`) rather than taken from
 * the challenge: anonymous for pulls without credentials, credentials exchanged with Basic at
 * the realm otherwise. A Basic challenge is met with the credentials themselves. Tokens are
 * cached per scope until shortly before they expire, and concurrent requests share one token
 * request.
 */
export class Authenticator {
  private readonly tokens = new Map<string, { header: string; expires: number }>();
  private readonly pending = new Map<string, Promise<void>>();
  private challenge: Challenge | undefined;

  constructor(
    /** The registry's origin, e.g. https://ghcr.io: credentials never travel in clear from an https registry. */
    private readonly registryOrigin: string,
    private readonly credentials: Credentials | undefined,
    private readonly http: HttpOptions,
  ) {}

  get hasCredentials(): boolean {
    return this.credentials !== undefined;
  }

  /** The Authorization header to send for a repository and access, if one is known yet. */
  headerFor(repository: string, access: Access): string | undefined {
    if (!this.challenge) return undefined;
    if (this.challenge.scheme === 'basic') return this.credentials ? basicAuthorization(this.credentials) : undefined;
    // A push token serves pulls too.
    const scopes = access === 'pull' ? [scope(repository, 'pull'), scope(repository, 'pull,push')] : [scope(repository, access)];
    for (const s of scopes) {
      const cached = this.tokens.get(s);
      if (cached && cached.expires > Date.now()) return cached.header;
    }
    return undefined;
  }

  /**
   * Called with a 401: learns its challenge and gets what it asks for, replacing any token
   * held for the scope (the registry has just refused it: expired early, or revoked). False
   * when there is nothing to try, e.g. a Basic registry and no credentials.
   */
  async answer(response: Response, repository: string, access: Access, url: string): Promise<boolean> {
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (!challenge) return false;
    this.challenge = challenge;
    if (challenge.scheme === 'basic') return this.credentials !== undefined;
    const wanted = scope(repository, access);
    this.tokens.delete(wanted);
    let inFlight = this.pending.get(wanted);
    if (!inFlight) {
      inFlight = this.fetchToken(challenge, wanted, url).finally(() => this.pending.delete(wanted));
      this.pending.set(wanted, inFlight);
    }
    await inFlight;
    return true;
  }

  private async fetchToken(challenge: Challenge, wanted: string, url: string): Promise<void> {
    const realm = challenge.params.realm;
    if (!realm) throw new NbprError('the registry asked for a bearer token but named no realm', { code: 'oci/bad-response', where: redactUrl(url), hint: 'The registry is misconfigured; tell its operator.' });
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(realm);
    } catch {
      throw new NbprError('the registry named a token realm that is not a URL', { code: 'oci/bad-response', where: redactUrl(url) });
    }
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', wanted);
    const headers: Record<string, string> = {};
    if (this.credentials) {
      this.refuseCleartext(tokenUrl, url);
      tokenUrl.searchParams.set('account', this.credentials.username);
      headers.Authorization = basicAuthorization(this.credentials);
    }
    const where = redactUrl(tokenUrl);
    const body = await withRetries(this.http.retry, `token request for ${wanted}`, where, async () => {
      const response = await send({ method: 'GET', url: tokenUrl.href, headers }, this.http);
      const retry = retryableStatus(response, tokenUrl.href);
      if (retry) throw retry;
      if (response.status === 401 || response.status === 403) {
        discardBody(response);
        throw new NbprError(`the token service refused ${this.credentials ? 'the credentials' : 'anonymous access'} for ${wanted} (HTTP ${response.status})`, {
          code: 'oci/access-denied',
          where,
          hint: this.credentials
            ? 'Check NBPR_REGISTRY_USERNAME/NBPR_REGISTRY_TOKEN (or GITHUB_TOKEN for ghcr.io): the token may be wrong, expired, or lack access to this repository.'
            : 'The repository may be private: set NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN (GITHUB_TOKEN for ghcr.io).',
        });
      }
      if (response.status !== 200) {
        discardBody(response);
        throw new NbprError(`the token request failed with HTTP ${response.status}`, { code: 'oci/token-service-failed', where, hint: "The registry's token service is failing; try again later." });
      }
      const bytes = await readBody(response, { idleTimeoutMs: this.http.idleTimeoutMs, limit: 1 << 20, url: tokenUrl.href });
      try {
        return JSON.parse(bytes.toString('utf8')) as { token?: string; access_token?: string; expires_in?: number };
      } catch {
        throw new NbprError('the token service answered with something other than JSON', { code: 'oci/bad-response', where });
      }
    });
    const token = body.token ?? body.access_token;
    if (!token) throw new NbprError('the token service answered without a token', { code: 'oci/bad-response', where });
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    // Retire a token a little early (up to 30 s, at most half its life), so that one is
    // never sent just as it lapses.
    const lifetime = seconds * 1000 - Math.min(30_000, seconds * 500);
    this.tokens.set(wanted, { header: `Bearer ${token}`, expires: Date.now() + lifetime });
  }

  /** Credentials from an https registry never go out over plain HTTP (a hostile challenge could ask). */
  private refuseCleartext(target: URL, url: string): void {
    if (!this.credentials || target.protocol !== 'http:' || !this.registryOrigin.startsWith('https:')) return;
    throw new NbprError('the registry asked for credentials over plain HTTP; they were not sent', {
      code: 'oci/credentials-over-http',
      where: redactUrl(url),
      hint: `The token realm ${redactUrl(target)} is not https; check the registry address.`,
    });
  }
}

function scope(repository: string, access: Access): string {
  return `repository:${repository}:${access}`;
}
