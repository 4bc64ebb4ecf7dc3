import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { formatFailure, nbprProject } from '../../executor-context';
import type { PipelineExecutorOptions } from './executor';
import { ProjectSession, RunLoads, runStage } from '@nbpr/pipeline';

/** Tasks of one batch run at once at most (fetches and builds inside them keep their own limits). */
const CONCURRENCY = 4;

interface TaskOutcome {
  task: string;
  result: { success: boolean; terminalOutput: string; startTime: number; endTime: number; status?: 'success' | 'failure' | 'skipped' };
}

/**
 * Every NBPR task of a run in one process: Nx hands over the tasks it did not find in its
 * cache, with their dependencies; each starts once the tasks it depends on (in this batch)
 * succeeded, a few at a time, and its result (and output, which Nx caches per task) is
 * reported as soon as it ends. A task whose dependency failed is skipped, as Nx skips it.
 */
export default async function* pipelineBatch(taskGraph: TaskGraph, inputs: Record<string, PipelineExecutorOptions>, _overrides: unknown, context: ExecutorContext): AsyncGenerator<TaskOutcome> {
  const ids = Object.keys(taskGraph.tasks);
  const waitingOn = new Map(ids.map((id) => [id, new Set((taskGraph.dependencies[id] ?? []).map(dependencyId).filter((d) => taskGraph.tasks[d]))]));
  const failed = new Set<string>();
  const done: TaskOutcome[] = [];
  const running = new Map<string, Promise<void>>();
  let wake: () => void = () => undefined;
  // The stages of one project share what it loaded; the projects share the catalogue and systems.
  const loads = new RunLoads();
  const sessions = new Map<string, ProjectSession>();

  const run = async (id: string): Promise<void> => {
    const task = taskGraph.tasks[id];
    const lines: string[] = [];
    const startTime = Date.now();
    let success = true;
    try {
      const project = nbprProject(context, task.target.project);
      let session = sessions.get(project.file);
      if (!session) sessions.set(project.file, (session = new ProjectSession({ ...project, workspaceRoot: context.root }, loads)));
      await runStage[inputs[id].stage]({ workspaceRoot: context.root, project, log: (line) => lines.push(line), session });
    } catch (error) {
      success = false;
      lines.push(formatFailure(error));
    }
    if (!success) failed.add(id);
    done.push({ task: id, result: { success, terminalOutput: lines.map((l) => `${l}\n`).join(''), startTime, endTime: Date.now() } });
  };

  while (waitingOn.size > 0 || running.size > 0) {
    let progressed = false;
    for (const [id, deps] of waitingOn) {
      if ([...deps].some((d) => failed.has(d))) {
        waitingOn.delete(id);
        failed.add(id);
        const now = Date.now();
        done.push({ task: id, result: { success: false, status: 'skipped', terminalOutput: '', startTime: now, endTime: now } });
        progressed = true;
      } else if (running.size < CONCURRENCY && [...deps].every((d) => !waitingOn.has(d) && !running.has(d))) {
        waitingOn.delete(id);
        running.set(
          id,
          run(id).finally(() => {
            running.delete(id);
            wake();
          }),
        );
        progressed = true;
      }
    }
    while (done.length > 0) yield done.shift()!;
    if (running.size > 0) {
      if (done.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    } else if (!progressed && waitingOn.size > 0) {
      throw new Error(`internal: the batch's tasks wait on each other: ${[...waitingOn.keys()].join(', ')}`);
    }
  }
  while (done.length > 0) yield done.shift()!;
}

/** Nx 24 lists a task's dependencies as { id } objects (older versions as ids). */
function dependencyId(dependency: string | { id: string }): string {
  return typeof dependency === 'string' ? dependency : dependency.id;
}
