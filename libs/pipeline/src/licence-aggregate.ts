import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTEFACT_FILE, ArtefactStore, openStore, validateArtefactMetadata } from '@nbpr/artefact';
import { aggregateLegalInfo, cyclonedxSbom, spdxSbom, validateSlice, type SbomArtefact } from '@nbpr/legal';
import { NbprError, writeJsonAtomic } from '@nbpr/model';
import { obtainArtefacts } from './obtain-artefacts';
import { sessionOf, type ProjectInput } from './project-input';

export interface LicenceAggregateInput extends ProjectInput {
  outDir: string;
}

/** licence-aggregate: the firmware's legal-info/ (system + every artefact) and SPDX 2.3 and CycloneDX 1.6 SBOMs of its NBPR part. */
export async function licenceAggregate(input: LicenceAggregateInput): Promise<void> {
  const session = sessionOf(input);
  const env = session.env;
  const firmware = session.firmware;
  if (!firmware) throw new Error('internal: licence-aggregate runs for firmware profiles');
  // A firmware for another system is left as its own system's run left it.
  if (session.skipReason) return input.log(`skipped: ${session.skipReason}`);
  // Made sure of, not read back from fetched.json: Nx may have restored it on a machine whose store lacks the trees.
  const fetched = { packages: await obtainArtefacts(session, () => undefined, input.resolvedFile) };
  const catalogue = session.catalogue;
  const system = await session.system(firmware.metadata.system);
  const store = openStore(undefined, env);
  const artefacts: SbomArtefact[] = [];
  for (const pkg of fetched.packages) {
    if (!existsSync(join(pkg.tree, ARTEFACT_FILE))) throw new NbprError(`the artefact of ${pkg.name} is no longer in the local store`, { code: 'store/artefact-missing', where: pkg.tree, hint: `Run the fetch-or-build stage of ${firmware.metadata.name} again, past any cache (nbpr fetch ${firmware.metadata.name}).` });
    const metadata = validateArtefactMetadata(JSON.parse(readFileSync(join(pkg.tree, ARTEFACT_FILE), 'utf8')), pkg.tree);
    const manifest = catalogue.has(pkg.name) ? catalogue.get(pkg.name).metadata : undefined;
    artefacts.push({
      name: pkg.name,
      version: metadata.keyDocument.package.version,
      key: metadata.key,
      diffId: (await recordOf(store, pkg)).diffId,
      declaredLicenses: manifest?.licenses,
      homepage: manifest?.homepage,
      rows: validateSlice(join(pkg.tree, 'legal-info'), pkg.name),
      files: metadata.files.filter((f) => f.type === 'file' && !f.path.startsWith('legal-info/')).map((f) => ({ path: f.path, sha256: (f as { sha256: string }).sha256, sha1: createHash('sha1').update(readFileSync(join(pkg.tree, f.path))).digest('hex') })),
    });
  }
  const result = await aggregateLegalInfo({ system: system.legalInfoDir, slices: fetched.packages.map((p) => ({ owner: p.name, dir: join(p.tree, 'legal-info') })), out: join(input.outDir, 'legal-info'), title: `firmware ${firmware.metadata.name} on ${system.id}` });
  const created = env.SOURCE_DATE_EPOCH ? new Date(Number(env.SOURCE_DATE_EPOCH) * 1000) : new Date();
  const sbom = { firmware: firmware.metadata.name, artefacts, created };
  await writeJsonAtomic(join(input.outDir, 'sbom.spdx.json'), spdxSbom(sbom));
  await writeJsonAtomic(join(input.outDir, 'sbom.cdx.json'), cyclonedxSbom(sbom));
  input.log(`legal-info for ${firmware.metadata.name}: ${result.rows.length} packages (${result.added.length} added by NBPR) in ${join(input.outDir, 'legal-info')}; SBOMs in ${join(input.outDir, 'sbom.spdx.json')} (SPDX 2.3) and ${join(input.outDir, 'sbom.cdx.json')} (CycloneDX 1.6)`);
  for (const s of result.skew) input.log(`warning: ${s.package} is present at ${s.versions.length} versions: ${s.versions.map((v) => `${v.version} (${v.from.join(', ')})`).join('; ')}`);
}

async function recordOf(store: ArtefactStore, pkg: { name: string; key: string }) {
  const record = await store.readRecord(pkg.key);
  if (!record) throw new NbprError(`the local store has no record of ${pkg.name}'s artefact`, { code: 'store/no-record', where: store.root, hint: 'Run fetch-or-build again.' });
  return record;
}
