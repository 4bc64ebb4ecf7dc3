import { ArtefactStore, openStore } from '@nbpr/artefact';
import { requireProjectRegistry } from '@nbpr/model';
import { publishStored, siteFor } from '@nbpr/sites';
import { publishSigner } from '@nbpr/trust';
import { sessionOf, type ProjectInput } from './project-input';

export type PublishInput = ProjectInput;

/**
 * publish: the project's artefacts, from the local store (fetch-or-build put them there), to
 * the project's registry. Immutable: the same content again is a no-op, other content under
 * the same key is refused.
 */
export async function publish(input: PublishInput): Promise<void> {
  const env = input.env ?? process.env;
  const registry = requireProjectRegistry(input.pluginOptions, env);
  const session = sessionOf(input);
  const { signer, warning } = publishSigner(session.trust, input.workspaceRoot, env);
  if (warning) input.log(`warning: ${warning}`);
  const resolved = await session.resolved(input.resolvedFile);
  for (const line of await publishStored(resolved, siteFor(registry, input.workspaceRoot), openStore(undefined, env), signer)) input.log(line);
}
