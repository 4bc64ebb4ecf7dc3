import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { licenceAggregate } from '@nbpr/pipeline';
import { nbprProject, reportFailure } from '../../executor-context';

export default async function licenceAggregateExecutor(_options: { keyInputs?: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const project = nbprProject(context);
    const out = join(context.root, 'dist', project.root);
    await licenceAggregate({ ...project, workspaceRoot: context.root, fetchedFile: join(out, 'fetched.json'), outDir: out, log: (line) => console.log(line) });
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
