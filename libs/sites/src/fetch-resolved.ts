import pLimit from 'p-limit';
import { ArtefactStore } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import { TRUST_NOTHING_CHECKED, type TrustPolicy } from '@nbpr/trust';
import { fetchArtefact, type FetchOutcome } from './fetch-artefact';
import type { Site } from './sites';

/** What fetch-or-build needs of resolve's output: the packages with their keys and tags. */
export interface ResolvedSelection {
  system: { id: string };
  skipped?: string;
  packages: Array<{ status: 'resolved'; name: string; version: string; key: string; tag: string } | { status: 'skipped'; name: string; version: string; reason: string }>;
}

export interface FetchedPackage {
  name: string;
  key: string;
  tag: string;
  source: string;
  tree: string;
}

/** Downloads in flight at once: enough to hide registry latency, few enough to be polite to it. */
export const FETCH_CONCURRENCY = 8;

/** What to do on a miss: build the package (the source-build fallback), or nothing. */
export type OnMiss = (pkg: { name: string; key: string; tag: string }) => Promise<{ source: string; tree: string }>;

export interface FetchOptions {
  /** Downloads at once (FETCH_CONCURRENCY by default). */
  concurrency?: number;
  onMiss?: OnMiss;
  /** Which signatures to require of what the sites serve (nothing checked by default). */
  trust?: TrustPolicy;
}

/**
 * Fetches every resolved package of a selection, reporting one line each, and fails listing
 * every package that has no prebuilt artefact (a miss), could not be looked up (a registry
 * error) or was refused by the trust policy: each needs a different fix.
 */
export async function fetchSelection(selection: ResolvedSelection, sites: Site[] | ((name: string) => Site[]), store: ArtefactStore, log: (line: string) => void, options: FetchOptions = {}): Promise<FetchedPackage[]> {
  const { concurrency = FETCH_CONCURRENCY, onMiss, trust = TRUST_NOTHING_CHECKED } = options;
  if (selection.skipped) {
    log(`skipped: ${selection.skipped}`);
    return [];
  }
  const fetched: FetchedPackage[] = [];
  const failures: string[] = [];
  const limit = pLimit(concurrency);
  const resolved = selection.packages.filter((pkg) => {
    if (pkg.status === 'skipped') log(`skipped ${pkg.name} ${pkg.version}: ${pkg.reason}`);
    return pkg.status === 'resolved';
  }) as Array<Extract<ResolvedSelection['packages'][number], { status: 'resolved' }>>;
  const sitesOf = typeof sites === 'function' ? sites : () => sites;
  const outcomes = await Promise.all(resolved.map((pkg) => limit(() => fetchArtefact(pkg, sitesOf(pkg.name), store, trust))));
  let refusals = 0;
  // Reported in selection order, whatever order the downloads finished in.
  for (const [i, pkg] of resolved.entries()) {
    const outcome: FetchOutcome = outcomes[i];
    if (outcome.status === 'hit') {
      if (outcome.trust?.warning) log(`warning: ${outcome.trust.warning}`);
      const signed = outcome.trust?.note ? `, ${outcome.trust.note}` : '';
      log(`${outcome.source === 'store' ? 'store hit' : 'fetched'} ${pkg.name} ${pkg.version} (key ${pkg.key.slice(0, 16)})${outcome.source === 'store' ? '' : ` from ${outcome.source}${signed}`}`);
      fetched.push({ name: pkg.name, key: pkg.key, tag: pkg.tag, source: outcome.source, tree: outcome.tree });
    } else if (outcome.status === 'miss') {
      const missed = `${pkg.name} ${pkg.version}: no prebuilt artefact for key ${pkg.key} (tag ${pkg.tag}); tried ${outcome.tried.join(', ') || 'no site (configure registry or sites in nx.json)'}`;
      if (!onMiss) {
        failures.push(missed);
        continue;
      }
      log(`no prebuilt ${pkg.name} ${pkg.version} (key ${pkg.key.slice(0, 16)}) at ${outcome.tried.length} site(s): building from source`);
      try {
        fetched.push({ name: pkg.name, key: pkg.key, tag: pkg.tag, ...(await onMiss(pkg)) });
      } catch (error) {
        if (!(error instanceof NbprError)) throw error;
        failures.push(`${missed}; and the source build failed:\n    ${error.format().replace(/\n/g, '\n    ')}`);
      }
    } else {
      const refused = outcome.errors.every((e) => e.code === 'trust/refused');
      if (refused) refusals++;
      failures.push(`${pkg.name} ${pkg.version}: ${refused ? 'refused by the trust policy at every site that has' : 'could not look up'} tag ${pkg.tag}:\n${outcome.errors.map((e) => `    ${e.site}: ${e.message.replace(/\n/g, '\n      ')}`).join('\n')}`);
    }
  }
  if (failures.length > 0) {
    throw new NbprError(`fetch-or-build found no usable prebuilt artefact for ${failures.length} package(s) for ${selection.system.id}:\n  ${failures.join('\n  ')}`, {
      code: refusals === failures.length ? 'trust/refused' : 'site/no-prebuilt',
      hint: refusals === failures.length ? "NBPR does not build a package from source when a site serves an artefact the trust policy refuses: find out who published it. Each refusal names the keys nx.json's trust section accepts." : 'Publish the artefacts to one of the sites or add a site that has them; or, for a miss, let fetch-or-build build from source (it does when a Buildroot tree is available: NBPR_BUILDROOT_DIR).',
    });
  }
  return fetched;
}
