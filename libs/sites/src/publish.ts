import { artefactManifest, type PackResult } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import { OCI_MANIFEST, type ArtefactRepository } from '@nbpr/oci';

export type PublishOutcome = { status: 'published'; manifestDigest: string } | { status: 'unchanged'; manifestDigest: string };

/**
 * Publishes a packed artefact under its tag. Published artefacts are immutable: the same key
 * with the same content is a no-op; the same key with other content is refused, since a key
 * promises one content. The tag is checked again just before the manifest is written, so a
 * concurrent publisher is not overwritten.
 */
export async function publishArtefact(repository: ArtefactRepository, tag: string, packed: Pick<PackResult, 'metadata' | 'diffId' | 'digest' | 'size'>, blobFile: string): Promise<PublishOutcome> {
  const built = artefactManifest(packed);
  const refuseIfDifferent = async (): Promise<PublishOutcome | undefined> => {
    const existing = await repository.resolveTag(tag);
    if (!existing) return undefined;
    if (existing.digest === built.manifestDigest) return { status: 'unchanged', manifestDigest: existing.digest };
    throw new NbprError(`${repository.location}:${tag} already holds other content for key ${packed.metadata.key.slice(0, 16)}`, {
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
  const manifestDigest = await repository.pushManifest(tag, built.manifest, OCI_MANIFEST);
  return { status: 'published', manifestDigest };
}
