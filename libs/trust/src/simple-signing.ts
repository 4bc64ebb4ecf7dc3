/**
 * cosign's "simple signing" payload: what a key-based cosign signature signs. The payload names
 * the manifest digest it vouches for and, for information, the repository it was signed in.
 * Written byte for byte as cosign writes it, so `cosign verify --key` and skopeo's
 * sigstoreSigned policy read it.
 */
export const SIMPLE_SIGNING_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const SIGNATURE_KIND = 'cosign container image signature';

export function simpleSigningPayload(identity: string, manifestDigest: string): Buffer {
  return Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': identity }, image: { 'docker-manifest-digest': manifestDigest }, type: SIGNATURE_KIND }, optional: null }));
}

/** The manifest digest a payload vouches for, or why it is not a simple-signing payload. */
export function signedDigest(payload: Buffer): { digest: string } | { error: string } {
  let value: any;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return { error: 'its payload is not JSON' };
  }
  if (value?.critical?.type !== SIGNATURE_KIND) return { error: `its payload is not a ${SIGNATURE_KIND}` };
  const digest = value.critical.image?.['docker-manifest-digest'];
  // Checked before it can reach a message: the payload is the registry's text.
  return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest) ? { digest } : { error: 'its payload names no sha256 manifest digest' };
}
