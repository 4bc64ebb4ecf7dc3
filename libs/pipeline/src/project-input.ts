import type { PluginOptions } from '@nbpr/model';

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
}
