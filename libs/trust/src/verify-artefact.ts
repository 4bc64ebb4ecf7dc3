import { verify } from 'node:crypto';
import type { ArtefactRepository } from '@nbpr/oci';
import { COSIGN_SIGNATURE_ANNOTATION, KEY_ID_ANNOTATION, readAttachments, type Attachments } from './attachments';
import { DSSE_ENVELOPE_TYPE, openEnvelope } from './dsse';
import type { TrustedKey } from './keys';
import { IN_TOTO_PAYLOAD_TYPE, readProvenance, type ProvenanceSummary } from './provenance';
import { signedDigest, SIMPLE_SIGNING_TYPE } from './simple-signing';

export type Verdict =
  | { status: 'trusted'; key: TrustedKey; provenance?: ProvenanceSummary }
  | { status: 'unsigned' }
  | { status: 'untrusted'; reasons: string[] };

const short = (id: string) => id.slice(0, 16);

/**
 * Whether one of `keys` vouches for the manifest: a signature over a payload naming exactly
 * this digest, and, when provenance is attached, a statement about this digest signed by a
 * trusted key. Reads only the small attachments, never the artefact's layer.
 */
export async function verifyArtefact(repository: ArtefactRepository, manifestDigest: string, keys: TrustedKey[]): Promise<Verdict> {
  // Both read at once: each is a round trip or two, on the path of every fetch.
  const [signatures, statements] = await Promise.all([readAttachments(repository, manifestDigest, 'sig'), readAttachments(repository, manifestDigest, 'att')]);
  const signed = trustedSignature(signatures, manifestDigest, keys);
  if ('reasons' in signed) return signed.reasons.length === 0 ? { status: 'unsigned' } : { status: 'untrusted', reasons: signed.reasons };
  const provenance = trustedProvenance(statements, manifestDigest, keys);
  if (provenance && 'error' in provenance) return { status: 'untrusted', reasons: [provenance.error] };
  return { status: 'trusted', key: signed.key, provenance };
}

/** The trusted key of a signature over this digest, or why no signature is one (none at all: unsigned). */
export function trustedSignature({ attachments, unreadable }: Attachments, manifestDigest: string, keys: TrustedKey[]): { key: TrustedKey } | { reasons: string[] } {
  const reasons = unreadable.map((u) => `a signature cannot be read: ${u}`);
  for (const { descriptor, bytes } of attachments) {
    if (descriptor.mediaType !== SIMPLE_SIGNING_TYPE) continue;
    const signature = descriptor.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
    if (!signature) {
      reasons.push(`signature layer ${descriptor.digest} holds no signature`);
      continue;
    }
    const signed = signedDigest(bytes);
    if ('error' in signed) {
      reasons.push(`signature layer ${descriptor.digest}: ${signed.error}`);
      continue;
    }
    if (signed.digest !== manifestDigest) {
      reasons.push(`a signature vouches for ${signed.digest}, not for this manifest (moved from another artefact)`);
      continue;
    }
    const key = keys.find((k) => verify('sha256', bytes, k.key, Buffer.from(signature, 'base64')));
    if (key) return { key };
    // The registry's text: named in a message only when it is a key id.
    const annotated = descriptor.annotations?.[KEY_ID_ANNOTATION];
    const claimed = typeof annotated === 'string' && /^[0-9a-f]{64}$/.test(annotated) ? annotated : undefined;
    const named = keys.find((k) => k.id === claimed);
    if (named) reasons.push(`a signature claims trusted key ${short(named.id)} (${named.source}) but does not verify with it: the signature or its payload was altered`);
    else reasons.push(claimed ? `signed by key ${short(claimed)}, which the workspace does not trust` : 'signed by a key the workspace does not trust (or altered)');
  }
  return { reasons };
}

/**
 * What a trusted provenance statement about this digest says; undefined when none is attached
 * (cosign signs without one), an error when what is attached does not hold up.
 */
export function trustedProvenance({ attachments, unreadable }: Attachments, manifestDigest: string, keys: TrustedKey[]): ProvenanceSummary | { error: string } | undefined {
  const envelopes = attachments.filter((a) => a.descriptor.mediaType === DSSE_ENVELOPE_TYPE);
  if (envelopes.length === 0 && unreadable.length === 0) return undefined;
  const problems = unreadable.map((u) => `an attestation cannot be read: ${u}`);
  for (const { bytes } of envelopes) {
    const opened = openEnvelope(bytes, IN_TOTO_PAYLOAD_TYPE, keys);
    if ('error' in opened) {
      problems.push(`its provenance: ${opened.error}`);
      continue;
    }
    const summary = readProvenance(opened.payload, manifestDigest);
    if (!('error' in summary)) return summary;
    problems.push(`its provenance: ${summary.error}`);
  }
  return { error: problems.join('; ') || 'its attestations hold no provenance' };
}

/** A verdict in one line: the key and who built it from what, or why it is not trusted. */
export function describeVerdict(verdict: Verdict, commitDigits = 12): string {
  if (verdict.status === 'unsigned') return 'it is not signed';
  if (verdict.status === 'untrusted') return verdict.reasons.join('; ');
  const { key, provenance } = verdict;
  const built = provenance ? `built by ${provenance.builder}${provenance.commit ? ` from commit ${provenance.commit.slice(0, commitDigits)}` : ''}` : 'no provenance attached';
  return `signed by ${short(key.id)} (${key.source}); ${built}`;
}
