import { NbprError } from '@nbpr/model';
import type { ArtefactRepository } from '@nbpr/oci';
import { SIGNING_KEY_PASSWORD_VARIABLE, SIGNING_KEY_VARIABLE, signingKeyFromEnv, type SigningKey } from './keys';
import type { TrustPolicy } from './policy';
import { currentBuilder, provenanceStatement, sourceCommit, type Builder, type PublishedArtefact, type SourceCommit } from './provenance';
import { signArtefact, type Attached } from './sign-artefact';

/** What publish signs with, and what its provenance says of the build. */
export interface Signer {
  key: SigningKey;
  builder: Builder;
  source?: SourceCommit;
}

/**
 * The publisher's signer from the environment. Under a require policy a publish without a key
 * would put artefacts in the registry that every fetch of this workspace refuses, so it fails
 * first; under warn or off it publishes unsigned (and says so). A key the policy does not list
 * is used, with a warning: another workspace may trust it.
 */
export function publishSigner(policy: TrustPolicy, workspaceRoot: string, env: NodeJS.ProcessEnv): { signer?: Signer; warning?: string } {
  const key = signingKeyFromEnv(env);
  if (!key) {
    if (policy.mode === 'require') {
      throw new NbprError(`nothing to sign with: ${SIGNING_KEY_VARIABLE} is not set`, {
        code: 'trust/no-signing-key',
        where: `environment ${SIGNING_KEY_VARIABLE}`,
        hint: `nx.json's trust policy is require, so every fetch would refuse an unsigned artefact. Set ${SIGNING_KEY_VARIABLE} to the PEM private key whose public key nx.json trusts (in CI, from the repository's secrets; ${SIGNING_KEY_PASSWORD_VARIABLE} if it is encrypted).`,
      });
    }
    return { warning: `publishing unsigned: ${SIGNING_KEY_VARIABLE} is not set` };
  }
  const signer = { key, builder: currentBuilder(env), source: sourceCommit(workspaceRoot, env) };
  if (policy.mode !== 'off' && !policy.keys.some((k) => k.id === key.id)) {
    return { signer, warning: `the signing key ${key.id.slice(0, 16)} is not one nx.json's trust section lists: this workspace will not accept what it signs` };
  }
  return { signer };
}

/** Signs a published artefact and attaches its provenance, each unless this signer's key already did. */
export function attestArtefact(repository: ArtefactRepository, artefact: PublishedArtefact, signer: Signer): Promise<{ signature: Attached; provenance: Attached }> {
  return signArtefact(repository, { identity: artefact.identity, manifestDigest: artefact.manifestDigest }, signer.key, provenanceStatement(artefact, signer.builder, signer.source));
}
