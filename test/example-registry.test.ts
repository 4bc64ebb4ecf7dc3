import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtefactStore, openStore, ARTEFACT_FILE, packArtefact, parseArtefactManifest, validateArtefactMetadata } from '@nbpr/artefact';
import { sourceDateEpoch } from '@nbpr/buildroot';
import { LayoutRepository } from '@nbpr/oci';
import { fetchArtefact, siteFor } from '@nbpr/sites';
import { isAttachmentTag, trustPolicy, verifyArtefact } from '@nbpr/trust';
import { repoRoot } from './support/reference';
import { tempDir } from './support/temp';

// The embedded registry (examples/registry) must hold exactly what NBPR's deterministic
// packer makes of each artefact's tree: re-packing gives the same digests.

const registry = join(repoRoot, 'examples', 'registry');
const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
const artefactTags = async (repository: LayoutRepository) => (await repository.listTags()).filter((tag) => !isAttachmentTag(tag));
// The workspace's own policy: the committed example key, required.
const trust = trustPolicy(JSON.parse(readFileSync(join(repoRoot, 'nx.json'), 'utf8')).plugins[0].options.trust, repoRoot);

for (const pkg of readdirSync(registry)) {
  const repository = new LayoutRepository(join(registry, pkg));
  test(`every ${pkg} artefact in the embedded registry re-packs to identical digests`, async () => {
    const tags = await artefactTags(repository);
    assert.ok(tags.length > 0);
    for (const tag of tags) {
      const manifest = parseArtefactManifest((await repository.getManifest(tag)).bytes, tag);
      const outcome = await fetchArtefact({ name: pkg, key: manifest.key, tag }, [siteFor(`oci-layout:${registry}`, repoRoot)], store, trust);
      assert.equal(outcome.status, 'hit', tag);
      const tree = (outcome as { tree: string }).tree;
      const metadata = validateArtefactMetadata(JSON.parse(readFileSync(join(tree, ARTEFACT_FILE), 'utf8')), tree);
      const repacked = await packArtefact({ sourceDir: tree, keyDocument: metadata.keyDocument, build: metadata.build, outFile: join(tempDir(), 'repack.tar.gz'), mtime: sourceDateEpoch(metadata.key) });
      assert.equal(repacked.diffId, manifest.diffId, `${tag}: diff id`);
      assert.equal(repacked.digest, manifest.layer.digest, `${tag}: blob digest`);
    }
  });
}

test('the embedded registry holds the example firmware and each example package for the example system', async () => {
  const tags = (await artefactTags(new LayoutRepository(join(registry, 'nbpr-heartbeat')))).sort();
  assert.equal(tags.length, 2, 'the package default and the firmware override of default_message');
  assert.ok(tags.every((t) => t.startsWith('0.1.0-nerves_system_nbpr_example-0.1.0-')));
});

test('every artefact in the embedded registry is signed by the committed example key, with provenance of a source build', async () => {
  assert.equal(trust.mode, 'require');
  for (const pkg of readdirSync(registry)) {
    const repository = new LayoutRepository(join(registry, pkg));
    for (const tag of await artefactTags(repository)) {
      const descriptor = (await repository.resolveTag(tag))!;
      const verdict = await verifyArtefact(repository, descriptor.digest, trust.keys);
      assert.equal(verdict.status, 'trusted', `${pkg}:${tag}`);
      assert.equal((verdict as any).key.source, 'examples/keys/nbpr-example.pub');
      assert.match((verdict as any).provenance.builder, /^source build on linux-/);
    }
  }
});
