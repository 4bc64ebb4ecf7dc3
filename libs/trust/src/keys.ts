import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { NbprError, readFailure } from '@nbpr/model';

/** A public key whose signatures the workspace accepts, with where it was named (for messages). */
export interface TrustedKey {
  /** sha256 of the key's DER SubjectPublicKeyInfo, hex: the same however its PEM is wrapped. */
  id: string;
  source: string;
  key: KeyObject;
}

export interface SigningKey {
  id: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The environment variables a publisher's signing key comes from (CI: repository secrets). */
export const SIGNING_KEY_VARIABLE = 'NBPR_SIGNING_KEY';
export const SIGNING_KEY_PASSWORD_VARIABLE = 'NBPR_SIGNING_KEY_PASSWORD';

export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** What cosign generate-key-pair makes and what skopeo and cosign verify with; nothing else is accepted. */
function checkCurve(key: KeyObject, where: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const kind = key.asymmetricKeyType === 'ec' ? `an EC key on ${key.asymmetricKeyDetails?.namedCurve}` : `a ${key.asymmetricKeyType ?? 'non-asymmetric'} key`;
    throw new NbprError(`${kind}, not an ECDSA P-256 key`, { code: 'trust/invalid-key', where, hint: 'NBPR signs and verifies with ECDSA P-256, as cosign does: `cosign generate-key-pair`, or `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`.' });
  }
}

/** A trusted key from PEM text (`SubjectPublicKeyInfo`, as in cosign.pub). */
export function parseTrustedKey(pem: string, source: string, where = source): TrustedKey {
  let key: KeyObject;
  try {
    if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) throw new Error('no PUBLIC KEY block');
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new NbprError(`not a PEM public key: ${(error as Error).message}`, { code: 'trust/invalid-key', where, hint: 'A trusted key is a PEM file starting "-----BEGIN PUBLIC KEY-----" (cosign.pub, or `openssl pkey -pubout` of the signing key).' });
  }
  checkCurve(key, where);
  return { id: keyId(key), source, key };
}

/** The keys nx.json trusts, read relative to the workspace root. */
export function loadTrustedKeys(paths: string[], workspaceRoot: string, pointer = 'nx.json /plugins/…/options/trust/keys'): TrustedKey[] {
  return paths.map((path, i) => {
    const file = isAbsolute(path) ? path : join(workspaceRoot, path);
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      const failure = readFailure(error);
      if (!failure) throw error;
      throw new NbprError(`cannot read trusted key ${JSON.stringify(path)}: ${failure.what}`, { code: 'trust/key-unreadable', where: `${pointer}/${i}`, hint: `${failure.hint} Trusted keys are PEM public key files named relative to the workspace root, and committed.` });
    }
    // Named by its place in nx.json too: the file alone does not say why it is read.
    return parseTrustedKey(pem, path, `${JSON.stringify(path)} (${pointer}/${i})`);
  });
}

/**
 * The publisher's key from the environment: a PKCS#8 (or SEC1) PEM private key, encrypted or
 * not (the password in NBPR_SIGNING_KEY_PASSWORD). Undefined when none is set. Messages never
 * hold the key's text.
 */
export function signingKeyFromEnv(env: NodeJS.ProcessEnv): SigningKey | undefined {
  const pem = env[SIGNING_KEY_VARIABLE];
  if (!pem) return undefined;
  let privateKey: KeyObject;
  try {
    if (!/-----BEGIN (ENCRYPTED |EC )?PRIVATE KEY-----/.test(pem)) throw new Error('it holds no PRIVATE KEY block');
    privateKey = createPrivateKey({ key: pem, format: 'pem', passphrase: env[SIGNING_KEY_PASSWORD_VARIABLE] ?? '' });
  } catch (error) {
    // Node's messages name the failure (bad decrypt, unsupported), never the key's bytes.
    throw new NbprError(`${SIGNING_KEY_VARIABLE} is not a usable private key: ${(error as Error).message.split('\n')[0]}`, {
      code: 'trust/invalid-key',
      where: `environment ${SIGNING_KEY_VARIABLE}`,
      hint: `Set ${SIGNING_KEY_VARIABLE} to the PEM text of an ECDSA P-256 private key (PKCS#8, "-----BEGIN PRIVATE KEY-----", or encrypted with its password in ${SIGNING_KEY_PASSWORD_VARIABLE}).`,
    });
  }
  const publicKey = createPublicKey(privateKey);
  checkCurve(publicKey, `environment ${SIGNING_KEY_VARIABLE}`);
  return { id: keyId(publicKey), privateKey, publicKey };
}
