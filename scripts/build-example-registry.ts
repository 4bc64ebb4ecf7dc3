/**
 * (Re)builds examples/registry: the embedded OCI image-layout registry holding the example
 * packages' artefacts for the example system, for the example firmware and for each package
 * with its defaults. Produced by NBPR's own pipeline: fetch-or-build's source build (through
 * the Buildroot test double unless NBPR_BUILDROOT_DIR names a real tree; these packages are
 * architecture-independent shell scripts),
 * then publish into the layout, signed with the example key (examples/keys). Published
 * artefacts are immutable: a second run changes nothing (signatures already there are kept).
 *
 *   node -r @swc-node/register scripts/build-example-registry.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtefactStore, openStore } from '@nbpr/artefact';
import { readPluginOptions } from '@nbpr/model';
import { fetchOrBuild } from '@nbpr/pipeline';
import { resolveProject } from '@nbpr/resolve';
import { publishStored, siteFor } from '@nbpr/sites';
import { publishSigner, trustPolicy } from '@nbpr/trust';
import { doubleBuildEnv } from '../test/support/buildroot-double';

const root = join(__dirname, '..');
const projects = ['examples/firmware/nbpr.firmware.json', 'examples/packages/nbpr-hello/nbpr.json', 'examples/packages/nbpr-heartbeat/nbpr.json'];
const packageFiles = ['examples/packages/nbpr-hello/nbpr.json', 'examples/packages/nbpr-heartbeat/nbpr.json'].map((f) => join(root, f));

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'nbpr-example-registry-'));
  // The Buildroot and nerves_system_br test doubles, unless real trees are named: a real
  // Buildroot 2026.05.1 gives the same artefacts (the double reproduces what it does for them).
  const doubles = process.env.NBPR_BUILDROOT_DIR ? {} : doubleBuildEnv(scratch);
  const env = { ...process.env, ...doubles, NBPR_CACHE_DIR: join(scratch, 'store'), XDG_DATA_HOME: join(scratch, 'data'), NBPR_SYSTEM: '' };
  try {
    // Only the source build: the registry must not be filled from itself.
    const options = { ...readPluginOptions(root), registry: undefined, sites: [] };
    const layout = siteFor('oci-layout:examples/registry', root);
    const signingEnv = { ...env, NBPR_SIGNING_KEY: readFileSync(join(root, 'examples', 'keys', 'nbpr-example.key'), 'utf8') };
    const { signer } = publishSigner(trustPolicy(options.trust, root), root, signingEnv);
    for (const project of projects) {
      const file = join(root, project);
      await fetchOrBuild({ workspaceRoot: root, file, packageFiles, pluginOptions: options, outputFile: join(scratch, 'fetched.json'), env, log: (l) => console.log(l) });
      const resolved = await resolveProject({ workspaceRoot: root, file, packageFiles, pluginOptions: options, env });
      for (const line of await publishStored(resolved, layout, openStore(undefined, env), signer)) console.log(line);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.format ? error.format() : error);
  process.exit(1);
});
