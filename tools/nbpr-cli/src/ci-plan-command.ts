import { readFileSync } from 'node:fs';
import { Catalogue, loadFirmwareProfile, NbprError, parseJsonSource, readJsonSource } from '@nbpr/model';
import { ciPlan } from '@nbpr/pipeline';
import type { Command } from './commands';
import { projectFiles } from './project-files';
import { findWorkspace } from './workspace';

export const ciPlanCommand: Command = {
  usage: 'nbpr ci-plan <affected.json | ->',
  help: [
    "Prints the CI matrix as JSON ({\"include\":[{\"system\",\"projects\"}]}): for each system of nx.json's",
    'systems (and defaultSystem), the affected packages that target it and the affected firmware profiles',
    'made for it. The argument is the JSON list `nx show projects --affected --json` prints (- for stdin).',
  ].join('\n'),
  async run(args) {
    const source = args.find((a) => a === '-' || !a.startsWith('-'));
    if (!source) throw new NbprError('missing the affected projects', { code: 'cli/missing-argument', hint: 'Pass the file `nx show projects --affected --json` wrote, or - to read it from stdin.' });
    const list = source === '-' ? parseJsonSource('stdin', readFileSync(0, 'utf8')) : readJsonSource(source);
    const affected = list.value;
    if (!Array.isArray(affected) || !affected.every((p) => typeof p === 'string')) {
      throw new NbprError('not a JSON list of project names', { code: 'cli/invalid-affected-list', where: list.file, hint: 'Give it what `nx show projects --affected --json` prints.' });
    }
    const { root, options } = findWorkspace();
    const files = projectFiles(root, options);
    const catalogue = Catalogue.load(files.packages, root);
    const firmware = files.firmware.map((f) => loadFirmwareProfile(f, root));
    const plan = ciPlan({ options, catalogue, firmware, affected });
    const planned = new Set(plan.include.flatMap((job) => job.projects.split(',')));
    const unreached = [...catalogue.names(), ...firmware.map((f) => f.metadata.name)].filter((name) => affected.includes(name) && !planned.has(name));
    if (unreached.length > 0) console.error(`nbpr ci-plan: no CI system for ${unreached.join(', ')} (their targets are not among nx.json's systems)`);
    console.log(JSON.stringify(plan));
    return 0;
  },
};
