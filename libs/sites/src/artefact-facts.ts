import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTEFACT_FILE, parseArtefactConfig, parseArtefactManifest, validateArtefactMetadata, type ArtefactStore } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import type { Site } from './sites';
import type { WantedArtefact } from './fetch-artefact';

export interface ArtefactFacts {
  kconfig: Record<string, string>;
  closure: string[];
  /** Where they were read: 'store' or a site name. */
  source: string;
}

/**
 * The build facts of an existing artefact, without downloading its layer: from the local
 * store, else from the first site whose config blob (checked against the key) has them.
 * Undefined when no artefact exists yet.
 */
export async function readArtefactFacts(wanted: WantedArtefact, sites: Site[], store: ArtefactStore): Promise<ArtefactFacts | undefined> {
  if (await store.has(wanted.key)) {
    const tree = store.treePath(wanted.key);
    const metadata = validateArtefactMetadata(JSON.parse(await readFile(join(tree, ARTEFACT_FILE), 'utf8')), tree);
    return { ...metadata.build, source: 'store' };
  }
  for (const site of sites) {
    const repository = site.repository(wanted.name);
    try {
      const descriptor = await repository.resolveTag(wanted.tag);
      if (!descriptor) continue;
      const where = `${repository.location}:${wanted.tag}`;
      const manifest = parseArtefactManifest((await repository.getManifest(descriptor.digest)).bytes, where);
      const config = parseArtefactConfig(await repository.getBlobBytes(manifest.config), wanted.key, where);
      return { ...config.build, source: site.name };
    } catch (error) {
      // An unreachable site cannot tell; fetch-or-build reports it. The metadata still gets checked.
      if (!(error instanceof NbprError)) throw error;
    }
  }
  return undefined;
}
