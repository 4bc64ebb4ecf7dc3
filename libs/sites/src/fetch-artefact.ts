import { ArtefactStore, parseArtefactConfig, parseArtefactManifest, SOURCE_BUILD, type ArtefactConfig } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import { admitArtefact, storedArtefactAdmitted, TRUST_NOTHING_CHECKED, type Admission, type TrustPolicy } from '@nbpr/trust';
import type { Site } from './sites';

export interface WantedArtefact {
  name: string;
  key: string;
  tag: string;
}

/** The three outcomes DESIGN.md asks to keep apart: found, not anywhere, and "could not tell". */
export type FetchOutcome =
  | { status: 'hit'; source: 'store' | string; tree: string; config?: ArtefactConfig; trust?: Admission }
  | { status: 'miss'; tried: string[] }
  | { status: 'error'; tried: string[]; errors: Array<{ site: string; message: string; code: string }> };

/**
 * The prebuilt path of fetch-or-build: the local store, else each site in order (manifest,
 * its signature checked by the trust policy and its config against the key before any layer,
 * layer streamed and verified, extracted atomically into the store). Concurrent runs for one
 * key download it once. An artefact already in the store is used as it is when it was built
 * here or its record names the trusted key verified when it was fetched; under require,
 * anything else is checked at the sites again.
 */
export async function fetchArtefact(wanted: WantedArtefact, sites: Site[], store: ArtefactStore, trust: TrustPolicy = TRUST_NOTHING_CHECKED): Promise<FetchOutcome> {
  const tried: string[] = [];
  const errors: Array<{ site: string; message: string; code: string }> = [];
  let config: ArtefactConfig | undefined;
  let admitted: Admission | undefined;
  const got = await store.obtain(wanted.key, async (locked) => {
    for (const site of sites) {
      const repository = site.repository(wanted.name);
      tried.push(`${repository.location}:${wanted.tag}`);
      try {
        const descriptor = await repository.resolveTag(wanted.tag);
        if (!descriptor) continue;
        const manifest = await repository.getManifest(descriptor.digest);
        const where = `${repository.location}:${wanted.tag}`;
        const parsed = parseArtefactManifest(manifest.bytes, where);
        // The config is read while the signature is checked, and looked at only once it passed.
        const [verdict, configBytes] = await Promise.all([admitArtefact(repository, manifest.digest, where, trust), repository.getBlobBytes(parsed.config)]);
        const siteConfig = parseArtefactConfig(configBytes, wanted.key, where);
        const blob = store.blobPath(parsed.layer.digest);
        if (!(await store.hasBlob(parsed.layer.digest))) {
          await store.sweepLeftovers();
          await repository.fetchBlob(parsed.layer, blob);
        }
        const stored = await locked.put(blob, { expectedDigest: parsed.layer.digest, expectedDiffId: siteConfig.diffId, tag: wanted.tag, source: site.name, signedBy: verdict.signedBy });
        config = siteConfig;
        admitted = verdict;
        return stored;
      } catch (error) {
        if (!(error instanceof NbprError)) throw error;
        errors.push({ site: site.name, message: error.format(), code: error.code });
      }
    }
    return undefined;
  }, (record) => storedArtefactAdmitted({ builtHere: record.source === SOURCE_BUILD, signedBy: record.signedBy }, trust));
  if (got) return got.produced ? { status: 'hit', source: got.artefact.source, tree: got.artefact.tree, config, trust: admitted } : { status: 'hit', source: 'store', tree: got.artefact.tree };
  return errors.length > 0 ? { status: 'error', tried, errors } : { status: 'miss', tried };
}
