import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Catalogue, FIRMWARE_FILE, loadFirmwareProfile, activeSystemId } from '@nbpr/model';
import { loadSystem } from '@nbpr/nerves-artifacts';
import { stageFirmware, stagePackage, type StagedPackage } from '@nbpr/stage';
import { fetchOrBuild } from './fetch-or-build';
import { licenceAggregate } from './licence-aggregate';
import type { ProjectInput } from './project-input';

export interface StageInput extends ProjectInput {
  /** The project's output directory (dist/<project root>). */
  outDir: string;
}

/**
 * stage: a firmware's nbpr_runtime Mix project, or a package's files in the priv layout. The
 * artefacts are made sure of through fetch-or-build (store hits when it just ran; a fetch when
 * Nx restored its record from a cache on a machine whose store lacks them).
 */
export async function stage(input: StageInput): Promise<string | undefined> {
  const env = input.env ?? process.env;
  const { workspaceRoot, pluginOptions: options } = input;
  const fetchedFile = join(input.outDir, 'fetched.json');
  // Only the skip lines of fetch-or-build matter here: it ran (or was restored) just before.
  const skips = (line: string) => (line.startsWith('skipped') ? input.log(line) : undefined);
  const fetched = await fetchOrBuild({ workspaceRoot, file: input.file, packageFiles: input.packageFiles, pluginOptions: options, outputFile: fetchedFile, env, log: skips });
  const catalogue = Catalogue.load(input.packageFiles, workspaceRoot);
  const packages: StagedPackage[] = fetched.map((f) => ({ name: f.name, metadata: catalogue.get(f.name).metadata, tree: f.tree }));
  if (input.file.endsWith(FIRMWARE_FILE)) {
    const firmware = loadFirmwareProfile(input.file, workspaceRoot);
    const wanted = env.NBPR_SYSTEM?.trim();
    if (wanted && wanted !== firmware.metadata.system) {
      input.log(`skipped: firmware ${firmware.metadata.name} is for ${firmware.metadata.system}, the active system is ${wanted}`);
      return undefined;
    }
    const system = await loadSystem(firmware.metadata.system, options, workspaceRoot, env);
    if (!existsSync(join(input.outDir, 'sbom.spdx.json')) || !existsSync(join(input.outDir, 'legal-info'))) {
      await licenceAggregate({ workspaceRoot, file: input.file, packageFiles: input.packageFiles, pluginOptions: options, fetchedFile, outDir: input.outDir, env, log: input.log });
    }
    const out = join(input.outDir, 'nbpr_runtime');
    await stageFirmware({ firmware: firmware.metadata.name, system, packages, legalInfo: join(input.outDir, 'legal-info'), sbom: join(input.outDir, 'sbom.spdx.json'), outDir: out });
    const shown = relative(process.cwd(), out) || out;
    input.log(`staged firmware ${firmware.metadata.name} for ${system.id}: ${packages.map((p) => p.name).join(', ')}`);
    input.log(`  ${shown}: add {:nbpr_runtime, path: "${shown}"} to your Nerves project's deps; ${join(shown, 'README.md')} has the three lines`);
    return out;
  }
  if (packages.length === 0) return undefined;
  const system = await loadSystem(activeSystemId(options, env), options, workspaceRoot, env);
  const out = join(input.outDir, 'stage');
  await stagePackage({ system, pkg: packages[0], outDir: out });
  input.log(`staged ${packages[0].name} ${packages[0].metadata.version} for ${system.id} in ${relative(process.cwd(), out) || out} (priv/, rootfs/)`);
  return out;
}
