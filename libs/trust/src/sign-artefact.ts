import { sign, verify } from 'node:crypto';
import type { ArtefactRepository } from '@nbpr/oci';
import { appendAttachment, COSIGN_SIGNATURE_ANNOTATION, KEY_ID_ANNOTATION, readAttachments } from './attachments';
import { DSSE_ENVELOPE_TYPE, openEnvelope, signEnvelope } from './dsse';
import type { SigningKey } from './keys';
import { IN_TOTO_PAYLOAD_TYPE, readProvenance, SLSA_PROVENANCE } from './provenance';
import { signedDigest, simpleSigningPayload, SIMPLE_SIGNING_TYPE } from './simple-signing';

export type Attached = 'added' | 'kept';

/**
 * Signs a published manifest and attaches its provenance, each unless this key already did:
 * ECDSA signatures differ every time, so "already signed" is a verification, not a
 * comparison of bytes, and publishing again adds nothing.
 */
export async function signArtefact(repository: ArtefactRepository, subject: { identity: string; manifestDigest: string }, key: SigningKey, provenance: Buffer): Promise<{ signature: Attached; provenance: Attached }> {
  const self = [{ id: key.id, source: 'the signing key', key: key.publicKey }];
  const { attachments: signatures } = await readAttachments(repository, subject.manifestDigest, 'sig');
  const signed = signatures.some(({ descriptor, bytes }) => {
    const sig = descriptor.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
    const payload = signedDigest(bytes);
    return descriptor.mediaType === SIMPLE_SIGNING_TYPE && sig && 'digest' in payload && payload.digest === subject.manifestDigest && verify('sha256', bytes, key.publicKey, Buffer.from(sig, 'base64'));
  });
  if (!signed) {
    const payload = simpleSigningPayload(subject.identity, subject.manifestDigest);
    const signature = sign('sha256', payload, key.privateKey).toString('base64');
    await appendAttachment(repository, subject.manifestDigest, 'sig', { mediaType: SIMPLE_SIGNING_TYPE, bytes: payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signature, [KEY_ID_ANNOTATION]: key.id } });
  }
  const { attachments: statements } = await readAttachments(repository, subject.manifestDigest, 'att');
  const attested = statements.some(({ descriptor, bytes }) => {
    if (descriptor.mediaType !== DSSE_ENVELOPE_TYPE) return false;
    const opened = openEnvelope(bytes, IN_TOTO_PAYLOAD_TYPE, self);
    return !('error' in opened) && !('error' in readProvenance(opened.payload, subject.manifestDigest));
  });
  if (!attested) {
    const envelope = Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, provenance, key)));
    // cosign's attestation layer: the envelope, an empty signature annotation, the predicate type.
    await appendAttachment(repository, subject.manifestDigest, 'att', { mediaType: DSSE_ENVELOPE_TYPE, bytes: envelope, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: '', predicateType: SLSA_PROVENANCE } });
  }
  return { signature: signed ? 'kept' : 'added', provenance: attested ? 'kept' : 'added' };
}
