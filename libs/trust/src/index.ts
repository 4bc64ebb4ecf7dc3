export { isAttachmentTag } from './attachments';
export { admitArtefact, type Admission, describeKeys, storedArtefactAdmitted, TRUST_NOTHING_CHECKED, trustPolicy, type TrustPolicy } from './policy';
export { type PublishedArtefact } from './provenance';
export { attestArtefact, publishSigner, type Signer } from './signer';
export { describeVerdict, verifyArtefact, type Verdict } from './verify-artefact';
