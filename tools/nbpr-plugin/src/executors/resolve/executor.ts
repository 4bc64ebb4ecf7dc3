import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { writeJsonAtomic } from '@nbpr/model';
import { resolveProject, summarize } from '@nbpr/resolve';
import { nbprProject, reportFailure } from '../../executor-context';

export interface ResolveExecutorOptions {
  keyInputs?: string;
  outputFile?: string;
}

export default async function resolveExecutor(options: ResolveExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const project = nbprProject(context);
    const document = await resolveProject({
      workspaceRoot: context.root,
      file: project.file,
      packageFiles: project.packageFiles,
      pluginOptions: project.pluginOptions,
    });
    const output = join(context.root, (options.outputFile ?? 'dist/{projectRoot}/resolved.json').replace('{projectRoot}', project.root));
    await writeJsonAtomic(output, document);
    for (const line of summarize(document)) console.log(line);
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
