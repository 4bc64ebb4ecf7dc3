import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@nbpr/artefact';
import { publishSigner, trustPolicy, verifyArtefact, type TrustPolicy } from '@nbpr/trust';
import { fetchArtefact, publishArtefact, publishStored, siteFor } from '../src';
import { packedHello, type PackedFixture } from '../../../test/support/artefacts';
import { startFaultProxy } from '../../../test/support/fault-proxy';
import { testKeyPair } from '../../../test/support/keys';
import { startRegistry, type TestRegistry } from '../../../test/support/registry';
import { tempDir } from '../../../test/support/temp';

const dir = tempDir();
// Quick retries (a registry that is not there fails at once), patient answers: a real registry on
// a loaded machine can take seconds to answer, and no test here is about a slow one.
const fast = { http: { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }, headersTimeoutMs: 30_000, idleTimeoutMs: 30_000 } };
const ours = testKeyPair(dir, 'ours');
const theirs = testKeyPair(dir, 'theirs');
const policy = (mode: TrustPolicy['mode'], keys = ['ours.pub']): TrustPolicy => trustPolicy({ policy: mode, keys }, dir);
const signerOf = (pem: string) => publishSigner(policy('require'), dir, { NBPR_SIGNING_KEY: pem, GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'nerves-binary-package-repository/nbpr', GITHUB_RUN_ID: '42', GITHUB_SHA: 'c'.repeat(40) }).signer!;

/** Publishes an artefact through publishStored (the path publish takes), signed by `pem` if given. */
async function published(registry: TestRegistry, content: string, pem?: string, variant = ''): Promise<{ packed: PackedFixture; manifestDigest: string; lines: string[] }> {
  const packed = await packedHello(dir, content, variant);
  const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  await store.addBuilt({ key: packed.key, tag: packed.tag, file: packed.file, digest: packed.digest, diffId: packed.diffId, size: packed.size });
  const site = siteFor(`${registry.host}/nbpr`, dir, fast);
  const selection = { system: { id: 'nerves_system_nbpr_example@0.1.0' }, packages: [{ status: 'resolved' as const, name: 'nbpr-hello', version: '0.1.0', key: packed.key, tag: packed.tag }] };
  const lines = await publishStored(selection, site, store, pem ? signerOf(pem) : undefined);
  const descriptor = await site.repository('nbpr-hello').resolveTag(packed.tag);
  return { packed, manifestDigest: descriptor!.digest, lines };
}

function fetchWith(registry: TestRegistry | { host: string }, packed: PackedFixture, trust: TrustPolicy, store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') })) {
  return fetchArtefact({ name: 'nbpr-hello', key: packed.key, tag: packed.tag }, [siteFor(`${registry.host}/nbpr`, dir, fast)], store, trust);
}

const refusal = (outcome: Awaited<ReturnType<typeof fetchWith>>) => (outcome.status === 'error' ? outcome.errors.map((e) => `${e.code} ${e.message}`).join('\n') : `not refused: ${outcome.status}`);

test('publish signs the manifest digest and attaches SLSA provenance; publishing again adds neither; fetch under require verifies both', async () => {
  const registry = await startRegistry();
  const { packed, manifestDigest, lines } = await published(registry, 'echo signed', ours.privatePem);
  assert.match(lines[0], /^published nbpr-hello 0\.1\.0 .*; signature added, provenance added \(key [0-9a-f]{16}\)$/);
  const repository = siteFor(`${registry.host}/nbpr`, dir, fast).repository('nbpr-hello');
  const sigTag = `${manifestDigest.replace(':', '-')}.sig`;
  const sigDigest = (await repository.resolveTag(sigTag))!.digest;
  const again = await published(registry, 'echo signed', ours.privatePem);
  assert.match(again.lines[0], /^already published \(same content\) .*; signature already there, provenance already there/);
  assert.equal((await repository.resolveTag(sigTag))!.digest, sigDigest, 'the signature manifest is unchanged');
  const verdict = await verifyArtefact(repository, manifestDigest, policy('require').keys);
  assert.equal(verdict.status, 'trusted');
  assert.deepEqual((verdict as any).provenance, { builder: 'https://github.com/nerves-binary-package-repository/nbpr/actions/runs/42', commit: 'c'.repeat(40) });
  const outcome = await fetchWith(registry, packed, policy('require'));
  assert.equal(outcome.status, 'hit');
  assert.match((outcome as any).trust.note, /^signed by [0-9a-f]{16} \(ours\.pub\); built by https:\/\/github\.com\/.*\/runs\/42 from commit cccccccccccc$/);
});

test('require refuses an unsigned artefact before any layer is requested, naming the artefact and the key expected; warn fetches it and says why; off checks nothing', async () => {
  const registry = await startRegistry();
  const proxy = await startFaultProxy(registry.url);
  const { packed, manifestDigest } = await published(registry, 'echo unsigned');
  const refused = await fetchWith(proxy, packed, policy('require'));
  const text = refusal(refused);
  assert.match(text, /^trust\/refused /);
  assert.ok(text.includes(`nbpr/nbpr-hello:${packed.tag} (${manifestDigest}): it is not signed`), text);
  assert.match(text, new RegExp(`requires a signature by one of: ${policy('require').keys[0].id.slice(0, 16)} \\(ours\\.pub\\)`));
  const layer = `/blobs/${packed.digest}`;
  assert.ok(proxy.seen.some((r) => r.path.includes('/manifests/')), 'the manifest was read');
  assert.ok(!proxy.seen.some((r) => r.path.endsWith(layer)), 'the layer was never requested');
  const warned = await fetchWith(proxy, packed, policy('warn'));
  assert.equal(warned.status, 'hit');
  assert.match((warned as any).trust.warning, /is not signed by a trusted key: it is not signed; used anyway \(trust policy warn\)/);
  const off = await fetchWith(registry, packed, policy('off'));
  assert.deepEqual([off.status, (off as any).trust], ['hit', {}]);
});

test('an artefact fetched unchecked into the store is checked at the sites again under require; one fetched verified is a store hit with the key on its record', async () => {
  const registry = await startRegistry();
  const store = openStore(undefined, { NBPR_CACHE_DIR: join(tempDir(), 'store') });
  const unsigned = await published(registry, 'echo stored unchecked', undefined, 'stored');
  assert.equal((await fetchWith(registry, unsigned.packed, policy('off'), store)).status, 'hit');
  assert.equal((await store.readRecord(unsigned.packed.key))!.signedBy, undefined);
  assert.match(refusal(await fetchWith(registry, unsigned.packed, policy('require'), store)), /trust\/refused .*it is not signed/);
  const signed = await published(registry, 'echo stored verified', ours.privatePem, 'verified');
  const first = await fetchWith(registry, signed.packed, policy('require'), store);
  assert.equal(first.status === 'hit' && first.source, `${registry.host}/nbpr`);
  assert.equal((await store.readRecord(signed.packed.key))!.signedBy, policy('require').keys[0].id);
  const again = await fetchWith(registry, signed.packed, policy('require'), store);
  assert.equal(again.status === 'hit' && again.source, 'store');
  // Once the key is no longer trusted, the stored copy is not either.
  assert.match(refusal(await fetchWith(registry, signed.packed, policy('require', ['theirs.pub']), store)), /which the workspace does not trust/);
});

test('an artefact signed by a key the workspace does not trust is refused as such', async () => {
  const registry = await startRegistry();
  const { packed } = await published(registry, 'echo theirs', theirs.privatePem);
  assert.match(refusal(await fetchWith(registry, packed, policy('require'))), /signed by key [0-9a-f]{16}, which the workspace does not trust/);
  assert.equal((await fetchWith(registry, packed, policy('require', ['ours.pub', 'theirs.pub']))).status, 'hit', 'trusting their key too admits it');
});

test('tampering is refused: a re-pushed layer under the tag, a signature moved from another artefact, a swapped signature', async () => {
  const registry = await startRegistry();
  const repository = siteFor(`${registry.host}/nbpr`, dir, fast).repository('nbpr-hello');
  const good = await published(registry, 'echo genuine', ours.privatePem);
  // Re-pushed: other content under the same tag (the key is of inputs, not of bytes).
  const evil = await packedHello(dir, 'echo evil');
  const forged = await publishArtefact(siteFor(`${registry.host}/nbpr`, dir, fast).repository('nbpr-hello-forged'), evil.tag, evil, evil.file);
  const forgedRepo = siteFor(`${registry.host}/nbpr`, dir, fast).repository('nbpr-hello-forged');
  const forgedManifest = await forgedRepo.getManifest(forged.manifestDigest);
  await repository.pushBlob({ file: evil.file }, evil.digest, evil.size);
  const configDigest = JSON.parse(forgedManifest.bytes.toString()).config;
  await repository.pushBlob({ bytes: await forgedRepo.getBlobBytes(configDigest) }, configDigest.digest, configDigest.size);
  await repository.pushManifest(good.packed.tag, forgedManifest.bytes, forgedManifest.mediaType);
  assert.match(refusal(await fetchWith(registry, good.packed, policy('require'))), /it is not signed/);
  // Moved: the genuine signature manifest copied to the forged manifest's signature tag.
  const genuineSig = await repository.getManifest(`${good.manifestDigest.replace(':', '-')}.sig`);
  await repository.pushManifest(`${forged.manifestDigest.replace(':', '-')}.sig`, genuineSig.bytes, genuineSig.mediaType);
  assert.match(refusal(await fetchWith(registry, good.packed, policy('require'))), new RegExp(`a signature vouches for ${good.manifestDigest}, not for this manifest`));
  // Swapped: the forged manifest's signature layer holds a payload for it, with the signature of another payload.
  const sig = JSON.parse(genuineSig.bytes.toString());
  const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'x' }, image: { 'docker-manifest-digest': forged.manifestDigest }, type: 'cosign container image signature' }, optional: null }));
  const { sha256Digest } = await import('@nbpr/oci');
  await repository.pushBlob({ bytes: payload }, sha256Digest(payload), payload.length);
  sig.layers = [{ ...sig.layers[0], digest: sha256Digest(payload), size: payload.length }];
  const swapped = Buffer.from(JSON.stringify(sig));
  await repository.pushManifest(`${forged.manifestDigest.replace(':', '-')}.sig`, swapped, genuineSig.mediaType);
  assert.match(refusal(await fetchWith(registry, good.packed, policy('require'))), /claims trusted key [0-9a-f]{16} \(ours\.pub\) but does not verify with it: the signature or its payload was altered/);
});

// Debian's skopeo is built with sigstore verification disabled ("Debian-local change: sigstore
// disabled"), so the signature images are read by skopeo and their signatures checked by openssl,
// as cosign's documentation checks a key-based signature by hand.
test('skopeo copies the signature and provenance images as it finds them by cosign tag; openssl verifies both with the public key, and not with another', async () => {
  const registry = await startRegistry();
  const signed = await published(registry, 'echo for skopeo', ours.privatePem);
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/nbpr/nbpr-hello:${signed.packed.tag}`]);
  const manifestDigest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  assert.equal(manifestDigest, signed.manifestDigest);
  const layout = join(tempDir(), 'attachments');
  const copied = (kind: string) => {
    execFileSync('skopeo', ['--insecure-policy', 'copy', '--src-tls-verify=false', `docker://${registry.host}/nbpr/nbpr-hello:${manifestDigest.replace(':', '-')}.${kind}`, `oci:${layout}:${kind}`], { stdio: 'pipe' });
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    const entry = index.manifests.find((m: any) => m.annotations['org.opencontainers.image.ref.name'] === kind);
    const blob = (digest: string) => readFileSync(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)));
    const layer = JSON.parse(blob(entry.digest).toString()).layers[0];
    return { layer, bytes: blob(layer.digest) };
  };
  const scratch = tempDir();
  const opensslVerifies = (publicFile: string, signature: Buffer, message: Buffer) => {
    writeFileSync(join(scratch, 'sig.der'), signature);
    writeFileSync(join(scratch, 'message'), message);
    return spawnSync('openssl', ['dgst', '-sha256', '-verify', publicFile, '-signature', join(scratch, 'sig.der'), join(scratch, 'message')], { encoding: 'utf8' }).stdout.trim();
  };
  const sig = copied('sig');
  assert.equal(sig.layer.mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
  const payload = JSON.parse(sig.bytes.toString());
  assert.deepEqual(payload, { critical: { identity: { 'docker-reference': `${registry.host}/nbpr/nbpr-hello` }, image: { 'docker-manifest-digest': manifestDigest }, type: 'cosign container image signature' }, optional: null });
  const signature = Buffer.from(sig.layer.annotations['dev.cosignproject.cosign/signature'], 'base64');
  assert.equal(opensslVerifies(ours.publicFile, signature, sig.bytes), 'Verified OK');
  assert.equal(opensslVerifies(theirs.publicFile, signature, sig.bytes), 'Verification failure');
  const att = copied('att');
  assert.equal(att.layer.mediaType, 'application/vnd.dsse.envelope.v1+json');
  assert.equal(att.layer.annotations.predicateType, 'https://slsa.dev/provenance/v1');
  const envelope = JSON.parse(att.bytes.toString());
  const body = Buffer.from(envelope.payload, 'base64');
  // DSSE's pre-authentication encoding, written here from the spec, not taken from NBPR.
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${envelope.payloadType.length} ${envelope.payloadType} ${body.length} `), body]);
  assert.equal(opensslVerifies(ours.publicFile, Buffer.from(envelope.signatures[0].sig, 'base64'), pae), 'Verified OK');
  const statement = JSON.parse(body.toString());
  assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
  assert.deepEqual(statement.subject, [{ name: `${registry.host}/nbpr/nbpr-hello`, digest: { sha256: manifestDigest.slice('sha256:'.length) } }]);
  assert.equal(statement.predicate.buildDefinition.externalParameters.key, signed.packed.key);
  assert.equal(statement.predicate.buildDefinition.resolvedDependencies[0].digest.gitCommit, 'c'.repeat(40));
});
