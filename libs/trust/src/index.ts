export { isAttachmentTag } from './attachments';
export { parseTrustedKey, SIGNING_KEY_VARIABLE, signingKeyFromEnv, type SigningKey, type TrustedKey } from './keys';
export { admitArtefact, type Admission, describeKeys, storedArtefactAdmitted, TRUST_NOTHING_CHECKED, trustPolicy, type TrustPolicy } from './policy';
export { verifyArtefact, type Verdict } from './verify-artefact';
export { attestArtefact, publishSigner, type PublishedArtefact, type Signer } from './signer';
