import type { PluginOptions } from '@nbpr/model';
import { ProjectSession } from './project-session';

/** What every stage is given: one project (package or firmware) of a workspace. */
export interface ProjectInput {
  workspaceRoot: string;
  /** The project's nbpr.json or nbpr.firmware.json. */
  file: string;
  /** Every nbpr.json of the workspace: the catalogue. */
  packageFiles: string[];
  pluginOptions: PluginOptions;
  env?: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** The project as the run already loaded it (stages run one after another share one). */
  session?: ProjectSession;
  /** resolve's output for the project (dist/<root>/resolved.json), read instead of resolving again when it is there. */
  resolvedFile?: string;
}

/** The input's session, or a new one for a stage run on its own. */
export function sessionOf(input: ProjectInput): ProjectSession {
  return input.session ?? new ProjectSession(input);
}
