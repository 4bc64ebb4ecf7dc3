import type { ExecutorContext } from '@nx/devkit';
import { publish } from '@nbpr/pipeline';
import { nbprProject, reportFailure } from '../../executor-context';

export default async function publishExecutor(_options: { keyInputs?: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const project = nbprProject(context);
    await publish({ ...project, workspaceRoot: context.root, log: (line) => console.log(line) });
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
