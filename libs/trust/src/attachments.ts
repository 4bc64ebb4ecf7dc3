import { checkDescriptor, encodeImageManifest, OCI_MANIFEST, sha256Digest, type ArtefactRepository, type Descriptor } from '@nbpr/oci';
import { NbprError } from '@nbpr/model';

/**
 * cosign's tag layout for what vouches for a manifest: `sha256-<hex>.sig` holds its signatures
 * and `sha256-<hex>.att` its attestations, each an image manifest with one small layer per
 * signature or attestation, in the manifest's own repository. It needs nothing a registry
 * lacks (GHCR and Distribution 2 have no referrers API), and cosign, skopeo and image
 * layouts all read it.
 */
export type AttachmentKind = 'sig' | 'att';

export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** Which key made a signature: untrusted, only to tell "another key" from "altered" in messages. */
export const KEY_ID_ANNOTATION = 'dev.nbpr.signature.key-id';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** Signatures and statements are small: more, or larger, is not read. */
const MAX_LAYERS = 32;
const LAYER_LIMIT = 1 << 20;

export function attachmentTag(manifestDigest: string, kind: AttachmentKind): string {
  return `${manifestDigest.replace(':', '-')}.${kind}`;
}

export function isAttachmentTag(tag: string): boolean {
  return /^sha256-[0-9a-f]{64}\.(sig|att)$/.test(tag);
}

export interface Attachment {
  descriptor: Descriptor;
  bytes: Buffer;
}

export interface Attachments {
  attachments: Attachment[];
  /** Why some could not be read (the registry's answer, or the manifest itself): they vouch for nothing. */
  unreadable: string[];
}

/** The attachments of a manifest (none when the tag does not exist), each checked against its digest. */
export async function readAttachments(repository: ArtefactRepository, manifestDigest: string, kind: AttachmentKind): Promise<Attachments> {
  let layers: Descriptor[];
  try {
    layers = await attachedLayers(repository, manifestDigest, kind);
  } catch (error) {
    if (!(error instanceof NbprError)) throw error;
    return { attachments: [], unreadable: [error.message] };
  }
  const read = await Promise.all(
    layers.slice(0, MAX_LAYERS).map(async (descriptor): Promise<Attachment | string> => {
      if (descriptor.size > LAYER_LIMIT) return `${descriptor.digest} is larger than ${LAYER_LIMIT} bytes`;
      try {
        return { descriptor, bytes: await repository.getBlobBytes(descriptor) };
      } catch (error) {
        if (!(error instanceof NbprError)) throw error;
        return `${descriptor.digest}: ${error.message}`;
      }
    }),
  );
  return { attachments: read.filter((r): r is Attachment => typeof r !== 'string'), unreadable: read.filter((r): r is string => typeof r === 'string') };
}

async function attachedLayers(repository: ArtefactRepository, manifestDigest: string, kind: AttachmentKind): Promise<Descriptor[]> {
  const tag = attachmentTag(manifestDigest, kind);
  const where = `${repository.location}:${tag}`;
  let bytes: Buffer;
  try {
    // By tag in one request: most artefacts' fetch pays for this lookup, signed or not.
    bytes = (await repository.getManifest(tag)).bytes;
  } catch (error) {
    if (error instanceof NbprError && error.code === 'oci/manifest-not-found') return [];
    throw error;
  }
  let manifest: { layers?: unknown };
  try {
    manifest = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new NbprError('the manifest is not JSON', { code: 'oci/invalid-manifest', where });
  }
  if (!Array.isArray(manifest?.layers)) throw new NbprError('the manifest has no layers', { code: 'oci/invalid-manifest', where });
  return manifest.layers.map((layer, i) => ({ ...(layer as Descriptor), ...checkDescriptor(layer, `layer ${i}`, where) }));
}

/**
 * Adds one attachment beside those already there (as cosign does: signatures by other keys
 * stay). The tag is replaced whole; two publishers of one package at once could lose one's
 * attachment, which the CI workflow's concurrency groups rule out.
 */
export async function appendAttachment(repository: ArtefactRepository, manifestDigest: string, kind: AttachmentKind, layer: { mediaType: string; bytes: Buffer; annotations: Record<string, string> }): Promise<void> {
  const kept = await attachedLayers(repository, manifestDigest, kind);
  const digest = sha256Digest(layer.bytes);
  await repository.pushBlob({ bytes: layer.bytes }, digest, layer.bytes.length);
  const layers: Descriptor[] = [...kept.filter((d) => d.digest !== digest), { mediaType: layer.mediaType, size: layer.bytes.length, digest, annotations: layer.annotations }];
  // The config cosign writes: an empty image whose layers are the attachments, no timestamps.
  const config = Buffer.from(JSON.stringify({ architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '', rootfs: { type: 'layers', diff_ids: layers.map((d) => d.digest) }, config: {} }));
  const configDigest = sha256Digest(config);
  await repository.pushBlob({ bytes: config }, configDigest, config.length);
  const manifest = encodeImageManifest({ config: { mediaType: OCI_CONFIG, size: config.length, digest: configDigest }, layers });
  await repository.pushManifest(attachmentTag(manifestDigest, kind), manifest.bytes, OCI_MANIFEST);
}
