import type { ExecutorContext } from '@nx/devkit';
import { nbprProject, reportFailure } from '../../executor-context';
import { runStage, type StageName } from '@nbpr/pipeline';

export interface PipelineExecutorOptions {
  stage: StageName;
  /** Set by the plugin: digest of the nbpr.json fields that enter the cache key, so that Nx's hash follows the key. */
  keyInputs?: string;
}

/** One NBPR stage for one project (without --batch; Nx prefers the batch implementation). */
export default async function pipelineExecutor(options: PipelineExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    await runStage[options.stage]({ workspaceRoot: context.root, project: nbprProject(context, context.projectName!), log: (line) => console.log(line) });
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
