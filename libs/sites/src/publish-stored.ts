import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTEFACT_FILE, validateArtefactMetadata, type ArtefactStore } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import { attestArtefact, type Signer } from '@nbpr/trust';
import type { ResolvedSelection } from './fetch-resolved';
import { publishArtefact } from './publish';
import type { Site } from './sites';

/**
 * Publishes the stored artefact of every resolved package to `site`, one line per package;
 * with a signer, each published (or already published) manifest is signed and its provenance
 * attached, unless that key already did.
 */
export async function publishStored(selection: ResolvedSelection, site: Site, store: ArtefactStore, signer?: Signer): Promise<string[]> {
  const lines: string[] = [];
  for (const pkg of selection.packages) {
    if (pkg.status === 'skipped') {
      lines.push(`skipped ${pkg.name} ${pkg.version}: ${pkg.reason}`);
      continue;
    }
    const record = await store.readRecord(pkg.key);
    if (!record || !(await store.hasBlob(record.digest))) {
      throw new NbprError(`no artefact of ${pkg.name} ${pkg.version} for key ${pkg.key} in the local store`, { code: 'store/artefact-missing', where: store.root, hint: `Run the fetch-or-build stage of ${pkg.name} first (nbpr fetch ${pkg.name}, or its fetch-or-build target).` });
    }
    const metadata = validateArtefactMetadata(JSON.parse(await readFile(join(store.treePath(pkg.key), ARTEFACT_FILE), 'utf8')), store.treePath(pkg.key));
    const repository = site.repository(pkg.name);
    const outcome = await publishArtefact(repository, pkg.tag, { metadata, diffId: record.diffId, digest: record.digest, size: record.size }, store.blobPath(record.digest));
    let signed = '';
    if (signer) {
      const published = { identity: site.identity(pkg.name), manifestDigest: outcome.manifestDigest, tag: pkg.tag, key: pkg.key, keyDocument: metadata.keyDocument, obtainedFrom: record.source };
      const attached = await attestArtefact(repository, published, signer);
      signed = `; signature ${attached.signature === 'added' ? 'added' : 'already there'}, provenance ${attached.provenance === 'added' ? 'added' : 'already there'} (key ${signer.key.id.slice(0, 16)})`;
    }
    lines.push(`${outcome.status === 'published' ? 'published' : 'already published (same content)'} ${pkg.name} ${pkg.version} as ${repository.location}:${pkg.tag}${signed}`);
  }
  return lines;
}
