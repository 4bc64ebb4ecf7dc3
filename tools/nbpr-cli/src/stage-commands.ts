import { dirname, relative } from 'node:path';
import { ProjectSession, runStage, stagesUpTo, type StageName } from '@nbpr/pipeline';
import { positional, type Command } from './commands';
import { projectFile, projectFiles } from './project-files';
import { findWorkspace } from './workspace';

/**
 * `nbpr <stage> <project>`: the stage and every stage before it, in one process, writing what
 * the Nx targets write (dist/<project root>/...) and printing what they print.
 */
function stageCommand(target: StageName, help: string): Command {
  return {
    usage: `nbpr ${target} <package|firmware>`,
    help: `${help} Runs ${target === 'resolve' ? 'it' : 'the stages before it too'} in one process, as \`nx run <project>:${target}\` does, and writes the same files under dist/.`,
    async run(args) {
      const name = positional(args, 'package or firmware name');
      const { root, options } = findWorkspace();
      const file = projectFile(root, name);
      const project = { root: relative(root, dirname(file)), file, packageFiles: projectFiles(root, options).packages, pluginOptions: options };
      const session = new ProjectSession({ ...project, workspaceRoot: root });
      for (const stage of stagesUpTo(target, file)) {
        console.log(`> ${stage} ${name}`);
        await runStage[stage]({ workspaceRoot: root, project, log: (line) => console.log(line), session });
      }
      return 0;
    },
  };
}

export const resolveCommand = stageCommand('resolve', 'Resolves a package or every package of a firmware for the active system: options, kconfig, key and tag (resolved.json).');
export const conflictCheckCommand = stageCommand('conflict-check', "Fails when the selection's Buildroot demands, its artefacts and the system disagree.");
export const licenceAggregateCommand = stageCommand('licence-aggregate', "Writes a firmware's legal-info/ and SPDX SBOM.");
export const stageCommandOf = stageCommand('stage', 'Stages a firmware as the nbpr_runtime Mix project, or a package in the priv layout: the whole pipeline.');
