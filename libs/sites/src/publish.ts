import { artefactManifest, type PackResult } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import { OCI_MANIFEST, type ArtefactRepository, type PushManifestOptions } from '@nbpr/oci';

export type PublishOutcome = { status: 'published'; manifestDigest: string } | { status: 'unchanged'; manifestDigest: string };

/**
 * Publishes a packed artefact under its tag. Published artefacts are immutable: the same key
 * with the same content is a no-op; the same key with other content is refused, since a key
 * promises one content. The tag is checked again just before the manifest is written, and a
 * publisher that loses a race with another one fails rather than say "published".
 */
export async function publishArtefact(repository: ArtefactRepository, tag: string, packed: Pick<PackResult, 'metadata' | 'diffId' | 'digest' | 'size'>, blobFile: string, options: Pick<PushManifestOptions, 'settleMs'> = {}): Promise<PublishOutcome> {
  const built = artefactManifest(packed);
  const refuseIfDifferent = async (): Promise<PublishOutcome | undefined> => {
    const existing = await repository.resolveTag(tag);
    if (!existing) return undefined;
    if (existing.digest === built.manifestDigest) return { status: 'unchanged', manifestDigest: existing.digest };
    throw new NbprError(`${repository.location}:${tag} already holds other content for key ${packed.metadata.key.slice(0, 16)}`, {
      code: 'publish/tag-taken',
      where: `${repository.location}:${tag}`,
      hint: `published manifest ${existing.digest}, this build ${built.manifestDigest}. Published artefacts are immutable: if the package changed, bump its version in nbpr.json; if the build is not reproducible, fix that first.`,
    });
  };
  const before = await refuseIfDifferent();
  if (before) return before;
  await repository.pushBlob({ bytes: built.config }, built.configDigest, built.config.length);
  await repository.pushBlob({ file: blobFile }, packed.digest, packed.size);
  const raced = await refuseIfDifferent();
  if (raced) return raced;
  // A concurrent publisher that checked just before this write may write just after it: the
  // repository claims the tag only as surely as its backend allows (onlyIfUntagged).
  const manifestDigest = await repository.pushManifest(tag, built.manifest, OCI_MANIFEST, { onlyIfUntagged: true, settleMs: options.settleMs });
  return { status: 'published', manifestDigest };
}
