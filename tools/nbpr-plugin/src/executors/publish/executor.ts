import type { ExecutorContext } from '@nx/devkit';
import { ArtefactStore } from '@nbpr/artefact';
import { resolveProject } from '@nbpr/resolve';
import { publishStored, siteFor } from '@nbpr/sites';
import { requireProjectRegistry } from '@nbpr/model';
import { nbprProject, reportFailure } from '../../executor-context';

export default async function publishExecutor(_options: { keyInputs?: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const project = nbprProject(context);
    const registry = requireProjectRegistry(project.pluginOptions);
    const resolved = await resolveProject({ workspaceRoot: context.root, file: project.file, packageFiles: project.packageFiles, pluginOptions: project.pluginOptions });
    for (const line of await publishStored(resolved, siteFor(registry, context.root), ArtefactStore.open())) console.log(line);
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
