import type { ExecutorContext } from '@nx/devkit';
import { conflictCheck } from '@nbpr/pipeline';
import { nbprProject, reportFailure } from '../../executor-context';

export default async function conflictCheckExecutor(_options: { keyInputs?: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const project = nbprProject(context);
    await conflictCheck({ ...project, workspaceRoot: context.root, log: (line) => console.log(line) });
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
