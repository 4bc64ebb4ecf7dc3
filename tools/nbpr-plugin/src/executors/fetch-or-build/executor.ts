import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { ArtefactStore } from '@nbpr/artefact';
import { writeJsonAtomic } from '@nbpr/model';
import { resolveProject } from '@nbpr/resolve';
import { fetchSelection, workspaceSites } from '@nbpr/sites';
import { nbprProject, reportFailure } from '../../executor-context';

export default async function fetchOrBuildExecutor(_options: { keyInputs?: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const project = nbprProject(context);
    const resolved = await resolveProject({ workspaceRoot: context.root, file: project.file, packageFiles: project.packageFiles, pluginOptions: project.pluginOptions });
    const fetched = await fetchSelection(resolved, workspaceSites(project.pluginOptions, context.root), ArtefactStore.open(), (line) => console.log(line));
    await writeJsonAtomic(join(context.root, 'dist', project.root, 'fetched.json'), { schemaVersion: 1, system: resolved.system.id, packages: fetched });
    return { success: true };
  } catch (error) {
    return reportFailure(error);
  }
}
