import { ArtefactStore, openStore } from '@nbpr/artefact';
import { artefactDemands, bundledChoiceGroups, choiceGroupsFromTrees, detectConflicts, formatConflicts, policyViolations, selectionDemands } from '@nbpr/conflicts';
import { NbprError, targetsSystem } from '@nbpr/model';
import type { ResolvedPackage } from '@nbpr/resolve';
import { readArtefactFacts, workspaceSites } from '@nbpr/sites';
import { sessionOf, type ProjectInput } from './project-input';

export type ConflictCheckInput = ProjectInput;

/**
 * conflict-check: before anything of the selection is fetched or built, the packages' kconfig
 * demands, the build facts of their existing artefacts and the system's .config must agree,
 * and the firmware's licence policy must hold. Every problem is reported at once.
 */
export async function conflictCheck(input: ConflictCheckInput): Promise<void> {
  const session = sessionOf(input);
  const { env, workspaceRoot, options, catalogue, firmware } = session;
  if (session.skipReason) {
    input.log(`skipped: ${session.skipReason}`);
    return;
  }
  const system = await session.system();
  const project = firmware ? Object.keys(firmware.metadata.packages).sort() : catalogue.names().filter((n) => catalogue.get(n).path === input.file);
  const supported = (name: string) => [name, ...catalogue.dependencyClosure(name)].every((p) => targetsSystem(catalogue.get(p).metadata, system.app));
  const selected = project.filter((name) => catalogue.has(name) && supported(name));
  if (selected.length === 0) {
    input.log(`skipped ${project.join(', ')}: not for ${system.app}`);
    return;
  }
  const what = `${firmware ? `firmware ${firmware.metadata.name}` : `package ${project[0]}`} on ${system.id}`;

  const deny = firmware?.metadata.licensePolicy?.deny ?? [];
  const violations = policyViolations(catalogue, [...new Set(selected.flatMap((n) => [n, ...catalogue.dependencyClosure(n)]))], deny);
  // The tree's own groups when there is a tree (a Nerves-patched tree may differ from the
  // release), else the table NBPR carries for the release; never both (they overlap).
  const choices = env.NBPR_BUILDROOT_DIR ? choiceGroupsFromTrees([env.NBPR_BUILDROOT_DIR, ...(env.NBPR_NERVES_SYSTEM_BR_DIR ? [env.NBPR_NERVES_SYSTEM_BR_DIR] : [])]) : bundledChoiceGroups(system.buildrootVersion);
  const { demands, clashes } = selectionDemands(catalogue, selected, firmware);
  const systemInput = { id: system.id, config: system.config };
  let conflicts = detectConflicts({ demands, clashes, system: systemInput, choices });
  if (conflicts.length === 0 && violations.length === 0) {
    // Only a consistent selection resolves to keys; then its existing artefacts' facts count too.
    const resolved = await session.resolved(input.resolvedFile);
    const store = openStore(undefined, env);
    const facts = [];
    for (const pkg of resolved.packages.filter((p): p is ResolvedPackage => p.status === 'resolved')) {
      const found = await readArtefactFacts(pkg, workspaceSites(options, workspaceRoot, {}, catalogue.get(pkg.name).metadata.sites), store);
      if (found) facts.push(...artefactDemands(pkg.name, pkg.key, found.kconfig));
    }
    conflicts = detectConflicts({ demands: [...demands, ...facts], clashes, system: systemInput, choices });
  }
  const report: string[] = [];
  if (violations.length > 0) report.push(`licence policy of firmware ${firmware!.metadata.name} (deny ${deny.join(', ')}) is broken by:\n${violations.map((v) => `  ${v.name}: ${v.licenses}`).join('\n')}`);
  if (conflicts.length > 0) report.push(formatConflicts(conflicts, what));
  if (report.length > 0) throw new NbprError(report.join('\n'), { code: conflicts.length > 0 ? 'conflict/kconfig' : 'legal/licence-denied', where: firmware?.source.file ?? project[0], hint: 'Nothing was fetched or built.' });
  input.log(`conflict-check: ${selected.length} package(s) of ${what}, ${demands.length} kconfig demands, ${choices.length} choice groups: no conflicts`);
}
