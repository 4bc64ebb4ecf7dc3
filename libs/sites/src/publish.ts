import { artefactManifest, type PackResult } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import { LayoutRepository, OCI_MANIFEST, type ArtefactRepository } from '@nbpr/oci';

export type PublishOutcome = { status: 'published'; manifestDigest: string } | { status: 'unchanged'; manifestDigest: string };

/**
 * Publishes a packed artefact under its tag. Published artefacts are immutable: the same key
 * with the same content is a no-op; the same key with other content is refused, since a key
 * promises one content. The tag is checked again just before the manifest is written, so a
 * concurrent publisher is not overwritten.
 */
export async function publishArtefact(repository: ArtefactRepository, tag: string, packed: Pick<PackResult, 'metadata' | 'diffId' | 'digest' | 'size'>, blobFile: string, options: { settleMs?: number } = {}): Promise<PublishOutcome> {
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
  const started = Date.now();
  const manifestDigest = repository instanceof LayoutRepository ? await repository.pushManifest(tag, built.manifest, OCI_MANIFEST, { onlyIfUntagged: true }) : await repository.pushManifest(tag, built.manifest, OCI_MANIFEST);
  // A registry has no compare-and-swap for tags: another publisher that checked the tag just
  // before this write may overwrite it just after. Success is claimed only once the tag has
  // held this manifest for longer than such a check-and-write takes; the publisher whose write
  // was replaced fails, naming both manifests.
  // An image layout's tag was written by compare-and-swap under its lock: only a registry needs to settle.
  const settle = repository instanceof LayoutRepository ? 0 : Math.max(options.settleMs ?? 1000, 2 * (Date.now() - started));
  for (const wait of settle ? [0, settle] : [0]) {
    if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
    const now = await repository.resolveTag(tag);
    if (now?.digest !== manifestDigest) {
      throw new NbprError(`lost a race publishing ${repository.location}:${tag}: another publisher wrote it at the same time`, {
        where: `${repository.location}:${tag}`,
        hint: `the tag now holds ${now?.digest ?? 'nothing'}, this publish wrote ${manifestDigest}. Publish each package and system from one job at a time (the CI workflow's concurrency groups do); run publish again to see which content the tag keeps.`,
      });
    }
  }
  return { status: 'published', manifestDigest };
}
