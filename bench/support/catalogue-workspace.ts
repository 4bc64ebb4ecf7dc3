import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitAll, populateWorkspace } from '../../test/support/nx-workspace';
import { launchRegistry, type TestRegistry } from '../../test/support/registry';
import { addGeneratedCatalogue } from './generated-catalogue';

export interface CatalogueWorkspace {
  /** Scratch directory for stores and logs, removed afterwards. */
  root: string;
  /** A git workspace: this repository's catalogue and examples plus `count` generated packages, committed. */
  ws: string;
  registry: TestRegistry;
}

/**
 * Runs `body` with a copy of the workspace grown by `count` generated packages whose artefacts
 * are published to a local docker-registry, then stops the registry and removes everything.
 */
export async function withCatalogueWorkspace(prefix: string, count: number, body: (w: CatalogueWorkspace) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const registry = await launchRegistry(join(root, 'registry'));
  try {
    const ws = join(root, 'ws');
    mkdirSync(ws);
    populateWorkspace(ws);
    await addGeneratedCatalogue(ws, registry.host, count);
    commitAll(ws, 'bench');
    await body({ root, ws, registry });
  } finally {
    await registry.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
