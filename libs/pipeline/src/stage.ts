import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { NbprError } from '@nbpr/model';
import { summarize } from '@nbpr/resolve';
import { stageFirmware, stagePackage, type StagedPackage } from '@nbpr/stage';
import { obtainArtefacts } from './obtain-artefacts';
import { sessionOf, type ProjectInput } from './project-input';

export interface StageInput extends ProjectInput {
  /** The project's output directory (dist/<project root>). */
  outDir: string;
}

/**
 * stage: a firmware's nbpr_runtime Mix project, or a package's files in the priv layout, from
 * the artefacts fetch-or-build obtained (made sure of: Nx may have restored its record on a
 * machine whose store lacks them) and the legal-info and SBOMs licence-aggregate wrote.
 */
export async function stage(input: StageInput): Promise<string | undefined> {
  const session = sessionOf(input);
  const resolved = await session.resolved(input.resolvedFile);
  for (const line of summarize(resolved)) if (line.startsWith('skipped')) input.log(line);
  if (resolved.skipped) return undefined;
  const fetched = await obtainArtefacts(session, () => undefined, input.resolvedFile);
  const catalogue = session.catalogue;
  const packages: StagedPackage[] = fetched.map((f) => ({ name: f.name, metadata: catalogue.get(f.name).metadata, tree: f.tree }));
  const system = await session.system();
  const firmware = session.firmware;
  if (firmware) {
    const legalInfo = join(input.outDir, 'legal-info');
    const sbom = join(input.outDir, 'sbom.spdx.json');
    const cdxSbom = join(input.outDir, 'sbom.cdx.json');
    if (!existsSync(sbom) || !existsSync(cdxSbom) || !existsSync(legalInfo)) {
      throw new NbprError(`firmware ${firmware.metadata.name} has no legal-info/ and SBOMs to stage`, { code: 'stage/no-legal-info', where: input.outDir, hint: `Run the licence-aggregate stage of ${firmware.metadata.name} first (its stage target runs it, as nbpr stage ${firmware.metadata.name} does).` });
    }
    const out = join(input.outDir, 'nbpr_runtime');
    await stageFirmware({ firmware: firmware.metadata.name, system, packages, legalInfo, sbom, cdxSbom, outDir: out });
    const shown = relative(process.cwd(), out) || out;
    input.log(`staged firmware ${firmware.metadata.name} for ${system.id}: ${packages.map((p) => p.name).join(', ')}`);
    input.log(`  ${shown}: add {:nbpr_runtime, path: "${shown}"} to your Nerves project's deps; ${join(shown, 'README.md')} has the three lines`);
    return out;
  }
  if (packages.length === 0) return undefined;
  const out = join(input.outDir, 'stage');
  await stagePackage({ system, pkg: packages[0], outDir: out });
  input.log(`staged ${packages[0].name} ${packages[0].metadata.version} for ${system.id} in ${relative(process.cwd(), out) || out} (priv/, rootfs/)`);
  return out;
}
