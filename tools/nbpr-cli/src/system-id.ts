// Deep imports: this runs on every Nx invocation, so it loads only the system reader.
import { activeSystemId } from '@nbpr/model/src/active-system';
import { loadSystem } from '@nbpr/nerves-artifacts/src/load-system';
import { systemIdentity } from '@nbpr/model/src/system';
import { findWorkspace } from './workspace';

export const SYSTEM_ID_HELP = `nbpr system-id [--system <app>@<version>]

Prints the identity of a Nerves system as it enters NBPR's cache key (app, version,
Buildroot version, sha256 of its .config) as one JSON line. Nx runs it as a runtime input,
so a changed system artefact changes every task's hash. The system is --system, else
NBPR_SYSTEM, else the workspace's defaultSystem.

A system that is not on the machine is not downloaded here (the first task that needs it
downloads it). When the system cannot be found it prints "unavailable: <reason>" and still exits 0:
hashing must not fail, the task that needs the system reports the error in full.`;

export async function systemId(args: string[]): Promise<number> {
  const at = args.indexOf('--system');
  try {
    // The plugin validates the options on every graph build; hashing need not do it again.
    const { root, options } = findWorkspace(process.cwd(), false);
    const id = at >= 0 && args[at + 1] ? args[at + 1] : activeSystemId(options);
    const system = await loadSystem(id, options, root, process.env, () => undefined, { obtain: false });
    console.log(JSON.stringify({ id: system.id, ...systemIdentity(system) }));
  } catch (error) {
    console.log(`unavailable: ${error instanceof Error ? error.message : String(error)}`);
  }
  return 0;
}
