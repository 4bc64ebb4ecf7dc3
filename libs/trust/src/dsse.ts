import { sign, verify } from 'node:crypto';
import type { SigningKey, TrustedKey } from './keys';

/** A DSSE envelope (the in-toto attestation wrapper cosign attaches): the payload, base64, and its signatures. */
export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

export const DSSE_ENVELOPE_TYPE = 'application/vnd.dsse.envelope.v1+json';

/** DSSE's pre-authentication encoding: the type is signed too, so a payload cannot be passed off as another kind. */
function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export function signEnvelope(payloadType: string, payload: Buffer, key: SigningKey): DsseEnvelope {
  const sig = sign('sha256', pae(payloadType, payload), key.privateKey).toString('base64');
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: '', sig }] };
}

/** The payload of an envelope one of `keys` signed, with that key; or why none did. */
export function openEnvelope(bytes: Buffer, payloadType: string, keys: TrustedKey[]): { payload: Buffer; key: TrustedKey } | { error: string } {
  let envelope: Partial<DsseEnvelope>;
  try {
    envelope = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { error: 'the envelope is not JSON' };
  }
  if (envelope.payloadType !== payloadType || typeof envelope.payload !== 'string' || !Array.isArray(envelope.signatures)) return { error: `not a DSSE envelope of ${payloadType}` };
  const payload = Buffer.from(envelope.payload, 'base64');
  const message = pae(payloadType, payload);
  for (const signature of envelope.signatures) {
    if (typeof signature?.sig !== 'string') continue;
    const key = keys.find((k) => verify('sha256', message, k.key, Buffer.from(signature.sig, 'base64')));
    if (key) return { payload, key };
  }
  return { error: 'no signature of the envelope verifies with a trusted key' };
}
