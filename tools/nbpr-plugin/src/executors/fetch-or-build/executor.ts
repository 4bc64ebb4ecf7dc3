import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { fetchOrBuild } from '@nbpr/pipeline';
import { nbprProject, reportFailure } from '../../executor-context';

export default async function fetchOrBuildExecutor(_options: { keyInputs?: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const project = nbprProject(context);
    await fetchOrBuild({ ...project, workspaceRoot: context.root, outputFile: join(context.root, 'dist', project.root, 'fetched.json'), log: (line) => console.log(line) });
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
