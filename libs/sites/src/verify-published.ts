import { NbprError } from '@nbpr/model';
import { describeKeys, describeVerdict, verifyArtefact, type TrustPolicy } from '@nbpr/trust';
import type { WantedArtefact } from './fetch-artefact';
import type { Site } from './sites';

/**
 * What each site holding a package's artefact says of who vouches for it, checked against the
 * workspace's trusted keys without downloading any layer: one line per site, and whether every
 * artefact found is trusted.
 */
export async function verifyPublished(wanted: WantedArtefact, sites: Site[], trust: TrustPolicy): Promise<{ lines: string[]; trusted: boolean }> {
  if (trust.keys.length === 0) {
    throw new NbprError('nx.json trusts no key: there is nothing to verify against', { code: 'trust/no-keys', where: 'nx.json /plugins/…/options/trust/keys', hint: 'List the PEM public keys whose signatures to accept in the trust section of the plugin options.' });
  }
  const lines: string[] = [];
  let found = 0;
  let trusted = true;
  for (const site of sites) {
    const repository = site.repository(wanted.name);
    const where = `${repository.location}:${wanted.tag}`;
    try {
      const descriptor = await repository.resolveTag(wanted.tag);
      if (!descriptor) {
        lines.push(`${where}: not there`);
        continue;
      }
      found++;
      const verdict = await verifyArtefact(repository, descriptor.digest, trust.keys);
      if (verdict.status !== 'trusted') trusted = false;
      lines.push(`${where} (${descriptor.digest}): ${verdict.status === 'trusted' ? '' : 'NOT TRUSTED: '}${describeVerdict(verdict, 40)}`);
    } catch (error) {
      if (!(error instanceof NbprError)) throw error;
      trusted = false;
      lines.push(`${where}: could not check: ${error.message}`);
    }
  }
  if (found === 0) lines.push(`no site holds ${wanted.name} for key ${wanted.key.slice(0, 16)}; trusted keys: ${describeKeys(trust.keys)}`);
  return { lines, trusted: trusted && found > 0 };
}
