import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyDocument } from '@nbpr/key';
import type { ArtefactRepository } from '@nbpr/oci';
import { attestArtefact, publishSigner, TRUST_NOTHING_CHECKED } from '@nbpr/trust';
import { repoRoot } from './reference';

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

/** The environment of a publisher holding the committed example key, which the workspace's nx.json trusts. */
export const EXAMPLE_SIGNING_ENV = { NBPR_SIGNING_KEY: readFileSync(join(repoRoot, 'examples', 'keys', 'nbpr-example.key'), 'utf8') };

/** Signs an artefact published by hand as `publish` would, with the example key. */
export async function signAsExample(repository: ArtefactRepository, identity: string, manifestDigest: string, packed: { tag: string; key: string; keyDocument: KeyDocument }): Promise<void> {
  const { signer } = publishSigner(TRUST_NOTHING_CHECKED, repoRoot, EXAMPLE_SIGNING_ENV);
  await attestArtefact(repository, { identity, manifestDigest, tag: packed.tag, key: packed.key, keyDocument: packed.keyDocument, obtainedFrom: 'source build' }, signer!);
}
