import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestKeyPair {
  /** PKCS#8 PEM, as NBPR_SIGNING_KEY holds it. */
  privatePem: string;
  publicPem: string;
  /** The public key written to `<dir>/<name>.pub`. */
  publicFile: string;
}

/** A fresh ECDSA P-256 key pair (what cosign generate-key-pair makes), its public half in a file. */
export function testKeyPair(dir: string, name: string): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const publicFile = join(dir, `${name}.pub`);
  writeFileSync(publicFile, publicPem);
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem, publicFile };
}
