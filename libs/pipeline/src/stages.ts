import { join } from 'node:path';
import { FIRMWARE_FILE, writeJsonAtomic } from '@nbpr/model';
import { resolveProject, summarize } from '@nbpr/resolve';
import { conflictCheck } from './conflict-check';
import { fetchOrBuild } from './fetch-or-build';
import { licenceAggregate } from './licence-aggregate';
import type { ProjectInput } from './project-input';
import { publish } from './publish';
import { stage } from './stage';

/** The stages of the pipeline, each an Nx target of NBPR's projects and a command of the CLI. */
export const STAGES = ['resolve', 'conflict-check', 'fetch-or-build', 'licence-aggregate', 'stage', 'publish'] as const;
export type StageName = (typeof STAGES)[number];

/** One project of a workspace: `root` is its directory relative to the workspace, where dist/<root>/ holds what its stages write. */
export interface StageRun {
  workspaceRoot: string;
  project: Omit<ProjectInput, 'workspaceRoot' | 'log' | 'env'> & { root: string };
  log: (line: string) => void;
}

/** The stages `target` runs after, in order, as the Nx targets depend on each other (a package has no licence-aggregate). */
export function stagesUpTo(target: StageName, file: string): StageName[] {
  const firmware = file.endsWith(FIRMWARE_FILE);
  const chain: StageName[] = target === 'publish' ? ['resolve', 'conflict-check', 'fetch-or-build', 'publish'] : ['resolve', 'conflict-check', 'fetch-or-build', ...(firmware ? (['licence-aggregate'] as const) : []), 'stage'];
  return chain.slice(0, chain.indexOf(target) + 1);
}

/** What each stage does for one project, its output under dist/<project root>. */
export const runStage: Record<StageName, (run: StageRun) => Promise<void>> = {
  async resolve({ workspaceRoot, project, log }) {
    const document = await resolveProject({ workspaceRoot, file: project.file, packageFiles: project.packageFiles, pluginOptions: project.pluginOptions });
    await writeJsonAtomic(join(workspaceRoot, 'dist', project.root, 'resolved.json'), document);
    summarize(document).forEach(log);
  },
  'conflict-check': ({ workspaceRoot, project, log }) => conflictCheck({ ...project, workspaceRoot, log }),
  async 'fetch-or-build'({ workspaceRoot, project, log }) {
    await fetchOrBuild({ ...project, workspaceRoot, outputFile: join(workspaceRoot, 'dist', project.root, 'fetched.json'), log });
  },
  async 'licence-aggregate'({ workspaceRoot, project, log }) {
    const out = join(workspaceRoot, 'dist', project.root);
    await licenceAggregate({ ...project, workspaceRoot, fetchedFile: join(out, 'fetched.json'), outDir: out, log });
  },
  async stage({ workspaceRoot, project, log }) {
    await stage({ ...project, workspaceRoot, outDir: join(workspaceRoot, 'dist', project.root), log });
  },
  publish: ({ workspaceRoot, project, log }) => publish({ ...project, workspaceRoot, log }),
};
