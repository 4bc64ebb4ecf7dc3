import { verify } from 'node:crypto';
import { NbprError } from '@nbpr/model';
import type { ArtefactRepository } from '@nbpr/oci';
import { COSIGN_SIGNATURE_ANNOTATION, KEY_ID_ANNOTATION, readAttachments, type Attachment, type AttachmentKind } from './attachments';
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
  // Both read at once: each is a round trip or three, on the path of every fetch.
  const [{ attachments, unreadable }, statements] = await Promise.all([readableAttachments(repository, manifestDigest, 'sig'), readableAttachments(repository, manifestDigest, 'att')]);
  const reasons = unreadable.map((u) => `a signature cannot be read: ${u}`);
  let trustedBy: TrustedKey | undefined;
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
    trustedBy = keys.find((k) => verify('sha256', bytes, k.key, Buffer.from(signature, 'base64')));
    if (trustedBy) break;
    // The registry's text: named in a message only when it is a key id.
    const annotated = descriptor.annotations?.[KEY_ID_ANNOTATION];
    const claimed = typeof annotated === 'string' && /^[0-9a-f]{64}$/.test(annotated) ? annotated : undefined;
    const named = keys.find((k) => k.id === claimed);
    if (named) reasons.push(`a signature claims trusted key ${short(named.id)} (${named.source}) but does not verify with it: the signature or its payload was altered`);
    else reasons.push(claimed ? `signed by key ${short(claimed)}, which the workspace does not trust` : 'signed by a key the workspace does not trust (or altered)');
  }
  if (!trustedBy) return reasons.length === 0 ? { status: 'unsigned' } : { status: 'untrusted', reasons };
  const provenance = verifiedProvenance(statements, manifestDigest, keys);
  if (provenance && 'error' in provenance) return { status: 'untrusted', reasons: [provenance.error] };
  return { status: 'trusted', key: trustedBy, provenance };
}

/** Provenance is optional (cosign signs without it); provenance that is there must hold up. */
function verifiedProvenance({ attachments, unreadable }: { attachments: Attachment[]; unreadable: string[] }, manifestDigest: string, keys: TrustedKey[]): ProvenanceSummary | { error: string } | undefined {
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

/** A signature manifest that cannot be read vouches for nothing: under warn that is a warning, not a failed fetch. */
async function readableAttachments(repository: ArtefactRepository, manifestDigest: string, kind: AttachmentKind): Promise<{ attachments: Attachment[]; unreadable: string[] }> {
  try {
    return await readAttachments(repository, manifestDigest, kind);
  } catch (error) {
    if (!(error instanceof NbprError)) throw error;
    return { attachments: [], unreadable: [error.message] };
  }
}
