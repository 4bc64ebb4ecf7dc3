import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { stage } from '@nbpr/pipeline';
import { nbprProject, reportFailure } from '../../executor-context';

export default async function stageExecutor(_options: { keyInputs?: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const project = nbprProject(context);
    await stage({ ...project, workspaceRoot: context.root, outDir: join(context.root, 'dist', project.root), log: (line) => console.log(line) });
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
