import { NbprError, type TrustOptions } from '@nbpr/model';
import type { ArtefactRepository } from '@nbpr/oci';
import { loadTrustedKeys, type TrustedKey } from './keys';
import { describeVerdict, verifyArtefact } from './verify-artefact';

/** What fetch accepts: `require` refuses an artefact no trusted key vouches for, `warn` says so and uses it, `off` checks nothing. */
export interface TrustPolicy {
  mode: 'require' | 'warn' | 'off';
  keys: TrustedKey[];
}

export const TRUST_NOTHING_CHECKED: TrustPolicy = { mode: 'off', keys: [] };

/** nx.json's trust section, its keys read: listing keys means requiring them unless the policy says otherwise. */
export function trustPolicy(options: TrustOptions | undefined, workspaceRoot: string, pointer = 'nx.json /plugins/…/options/trust'): TrustPolicy {
  const paths = options?.keys ?? [];
  const mode = options?.policy ?? (paths.length > 0 ? 'require' : 'off');
  if (mode === 'require' && paths.length === 0) {
    throw new NbprError('the trust policy is require, but no trusted key is listed', { code: 'trust/no-keys', where: `${pointer}/keys`, hint: 'List the PEM public keys whose signatures to accept (e.g. "keys": ["keys/nbpr.pub"]), or set "policy" to "warn" or "off".' });
  }
  return { mode, keys: loadTrustedKeys(paths, workspaceRoot, `${pointer}/keys`) };
}

export function describeKeys(keys: TrustedKey[]): string {
  return keys.map((k) => `${k.id.slice(0, 16)} (${k.source})`).join(', ') || 'none';
}

export interface Admission {
  /** A line to print beside the fetch, or a warning (policy warn). */
  note?: string;
  warning?: string;
  /** The trusted key that vouched for it. */
  signedBy?: string;
}

/**
 * Whether an artefact already in the local store may be used without asking a site again:
 * one built here from source, or one whose signature by a key the policy still trusts was
 * verified when it was fetched. Anything else is checked again at the sites (require only).
 */
export function storedArtefactAdmitted(stored: { builtHere: boolean; signedBy?: string }, policy: TrustPolicy): boolean {
  return policy.mode !== 'require' || stored.builtHere || policy.keys.some((k) => k.id === stored.signedBy);
}

/**
 * Applies the policy to one manifest before its layer is fetched: a line to print when it is
 * fine or only warned about, an NbprError naming the artefact and the keys expected when the
 * policy refuses it.
 */
export async function admitArtefact(repository: ArtefactRepository, manifestDigest: string, where: string, policy: TrustPolicy): Promise<Admission> {
  if (policy.mode === 'off') return {};
  const verdict = await verifyArtefact(repository, manifestDigest, policy.keys);
  if (verdict.status === 'trusted') return { note: describeVerdict(verdict), signedBy: verdict.key.id };
  const why = describeVerdict(verdict);
  if (policy.mode === 'warn') return { warning: `${where} (${manifestDigest}) is not signed by a trusted key: ${why}; used anyway (trust policy warn)` };
  throw new NbprError(`refused ${where} (${manifestDigest}): ${why}`, {
    code: 'trust/refused',
    where,
    hint: `nx.json's trust policy requires a signature by one of: ${describeKeys(policy.keys)}. Publish it again with that key in NBPR_SIGNING_KEY (publish signs what it publishes), or, if you trust its publisher, add their public key to trust.keys.`,
  });
}
