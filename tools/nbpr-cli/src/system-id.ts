// Deep imports: this runs on every Nx invocation, so it loads only the system reader.
import { activeSystemId } from '@nbpr/model/src/active-system';
import { localSystem } from '@nbpr/nerves-artifacts/src/local-system';
import { systemIdentity } from '@nbpr/model/src/system';
import { findWorkspace } from './workspace';

export const SYSTEM_ID_HELP = `nbpr system-id [--system <app>@<version>]...

Prints the identity of the active Nerves system as it enters NBPR's cache key (app, version,
Buildroot version, sha256 of its .config) as one JSON line, then one line for each --system
not already printed. Nx runs it as a runtime input of every NBPR target, with the systems the
workspace's firmware profiles pin, so a changed system artefact changes every task's hash.
The active system is NBPR_SYSTEM, else the workspace's defaultSystem.

A system that is not on the machine is not downloaded here (the first task that needs it
downloads it). A system that cannot be found prints "unavailable: <reason>" and the command
still exits 0: hashing must not fail, the task that needs the system reports the error in full.`;

export async function systemId(args: string[]): Promise<number> {
  const pinned = args.flatMap((arg, i) => (arg === '--system' && args[i + 1] ? [args[i + 1]] : []));
  let workspace: ReturnType<typeof findWorkspace>;
  try {
    // The plugin validates the options on every graph build; hashing need not do it again.
    workspace = findWorkspace(process.cwd(), false);
  } catch (error) {
    console.log(unavailable(error));
    return 0;
  }
  const { root, options } = workspace;
  const printed = new Set<string>();
  for (const idOf of [() => activeSystemId(options), ...pinned.map((id) => () => id)]) {
    try {
      const id = idOf();
      if (printed.has(id)) continue;
      printed.add(id);
      const system = localSystem({ id, options, workspaceRoot: root, env: process.env }, true);
      console.log(JSON.stringify({ id: system.id, ...systemIdentity(system) }));
    } catch (error) {
      console.log(unavailable(error));
    }
  }
  return 0;
}

const unavailable = (error: unknown) => `unavailable: ${error instanceof Error ? error.message : String(error)}`;
