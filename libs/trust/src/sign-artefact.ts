import { sign } from 'node:crypto';
import type { ArtefactRepository } from '@nbpr/oci';
import { appendAttachment, COSIGN_SIGNATURE_ANNOTATION, KEY_ID_ANNOTATION, readAttachments } from './attachments';
import { DSSE_ENVELOPE_TYPE, signEnvelope } from './dsse';
import type { SigningKey } from './keys';
import { IN_TOTO_PAYLOAD_TYPE, SLSA_PROVENANCE } from './provenance';
import { simpleSigningPayload, SIMPLE_SIGNING_TYPE } from './simple-signing';
import { trustedProvenance, trustedSignature } from './verify-artefact';

export type Attached = 'added' | 'kept';

/**
 * Signs a published manifest and attaches its provenance, each unless this key already did:
 * ECDSA signatures differ every time, so "already signed" is a verification with this key
 * alone, not a comparison of bytes, and publishing again adds nothing.
 */
export async function signArtefact(repository: ArtefactRepository, subject: { identity: string; manifestDigest: string }, key: SigningKey, provenance: Buffer): Promise<{ signature: Attached; provenance: Attached }> {
  const self = [{ id: key.id, source: 'the signing key', key: key.publicKey }];
  const signed = 'key' in trustedSignature(await readAttachments(repository, subject.manifestDigest, 'sig'), subject.manifestDigest, self);
  if (!signed) {
    const payload = simpleSigningPayload(subject.identity, subject.manifestDigest);
    const signature = sign('sha256', payload, key.privateKey).toString('base64');
    await appendAttachment(repository, subject.manifestDigest, 'sig', { mediaType: SIMPLE_SIGNING_TYPE, bytes: payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signature, [KEY_ID_ANNOTATION]: key.id } });
  }
  const attested = trustedProvenance(await readAttachments(repository, subject.manifestDigest, 'att'), subject.manifestDigest, self);
  const kept = attested !== undefined && !('error' in attested);
  if (!kept) {
    const envelope = Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, provenance, key)));
    // cosign's attestation layer: the envelope, an empty signature annotation, the predicate type.
    await appendAttachment(repository, subject.manifestDigest, 'att', { mediaType: DSSE_ENVELOPE_TYPE, bytes: envelope, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: '', predicateType: SLSA_PROVENANCE } });
  }
  return { signature: signed ? 'kept' : 'added', provenance: kept ? 'kept' : 'added' };
}
