import { join } from 'node:path';
import { projectKind, writeJsonAtomic } from '@nbpr/model';
import { summarize } from '@nbpr/resolve';
import { conflictCheck } from './conflict-check';
import { fetchOrBuild } from './fetch-or-build';
import { licenceAggregate } from './licence-aggregate';
import type { ProjectInput } from './project-input';
import { ProjectSession } from './project-session';
import { publish } from './publish';
import { stage } from './stage';

/** The stages of the pipeline, each an Nx target of NBPR's projects and a command of the CLI. */
export const STAGES = ['resolve', 'conflict-check', 'fetch-or-build', 'licence-aggregate', 'stage', 'publish'] as const;
export type StageName = (typeof STAGES)[number];

/** One project of a workspace: `root` is its directory relative to the workspace, where dist/<root>/ holds what its stages write. */
export interface StageRun {
  workspaceRoot: string;
  project: Pick<ProjectInput, 'file' | 'packageFiles' | 'pluginOptions'> & { root: string };
  log: (line: string) => void;
  /** The project as this process already loaded it: stages of one project run in one process share it. */
  session?: ProjectSession;
}

/** The stages `target` runs after, in order, as the Nx targets depend on each other (a package has no licence-aggregate). */
export function stagesUpTo(target: StageName, file: string): StageName[] {
  const firmware = projectKind(file) === 'firmware';
  const chain: StageName[] = target === 'publish' ? ['resolve', 'conflict-check', 'fetch-or-build', 'publish'] : ['resolve', 'conflict-check', 'fetch-or-build', ...(firmware ? (['licence-aggregate'] as const) : []), 'stage'];
  return chain.slice(0, chain.indexOf(target) + 1);
}

/** What each stage does for one project, its output under dist/<project root>. */
export const runStage: Record<StageName, (run: StageRun) => Promise<void>> = {
  async resolve(run) {
    const session = sessionFor(run);
    const document = await session.resolved();
    await writeJsonAtomic(resolvedFileOf(run), document);
    summarize(document).forEach(run.log);
  },
  'conflict-check': (run) => conflictCheck(stageInput(run)),
  async 'fetch-or-build'(run) {
    await fetchOrBuild({ ...stageInput(run), outputFile: join(outDirOf(run), 'fetched.json') });
  },
  'licence-aggregate': (run) => licenceAggregate({ ...stageInput(run), outDir: outDirOf(run) }),
  async stage(run) {
    await stage({ ...stageInput(run), outDir: outDirOf(run) });
  },
  publish: (run) => publish(stageInput(run)),
};

const outDirOf = (run: StageRun) => join(run.workspaceRoot, 'dist', run.project.root);
const resolvedFileOf = (run: StageRun) => join(outDirOf(run), 'resolved.json');

function sessionFor(run: StageRun): ProjectSession {
  return run.session ?? new ProjectSession({ ...run.project, workspaceRoot: run.workspaceRoot });
}

/** A later stage reads resolve's resolved.json and shares the run's session. */
function stageInput(run: StageRun): ProjectInput {
  return { ...run.project, workspaceRoot: run.workspaceRoot, log: run.log, session: sessionFor(run), resolvedFile: resolvedFileOf(run) };
}
