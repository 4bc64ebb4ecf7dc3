import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LayoutRepository, sha256Digest } from '@nbpr/oci';
import { publishArtefact, siteFor } from '@nbpr/sites';
import { admitArtefact, trustPolicy } from '../src';
import { packedHello } from '../../../test/support/artefacts';
import { testKeyPair } from '../../../test/support/keys';
import { tempDir } from '../../../test/support/temp';

// What a hostile registry can put under an artefact's signature tag: NBPR reads it as the
// registry's text, bounded, and names it without passing its bytes on to the terminal.

const dir = tempDir();
testKeyPair(dir, 'trusted');
const require = trustPolicy({ keys: ['trusted.pub'] }, dir);
const warn = trustPolicy({ keys: ['trusted.pub'], policy: 'warn' }, dir);

async function artefact(name: string): Promise<{ repository: LayoutRepository; digest: string; sigTag: string }> {
  const site = siteFor(`oci-layout:${join(dir, 'layout')}`, dir);
  const packed = await packedHello(dir, `echo ${name}`, name);
  const repository = site.repository(name) as LayoutRepository;
  const { manifestDigest } = await publishArtefact(repository, packed.tag, packed, packed.file);
  return { repository, digest: manifestDigest, sigTag: `${manifestDigest.replace(':', '-')}.sig` };
}

async function pushJson(repository: LayoutRepository, value: unknown): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  await repository.pushBlob({ bytes }, sha256Digest(bytes), bytes.length);
  return { digest: sha256Digest(bytes), size: bytes.length };
}

test('a signature manifest that is not JSON is refused under require and only warned about under warn', async () => {
  const { repository, digest, sigTag } = await artefact('not-json');
  await repository.pushManifest(sigTag, Buffer.from('{"layers": [tru'), 'application/vnd.oci.image.manifest.v1+json');
  await assert.rejects(admitArtefact(repository, digest, 'not-json', require), (e: any) => e.code === 'trust/refused' && /a signature cannot be read: the manifest .*is not JSON|a signature cannot be read/.test(e.message));
  const warned = await admitArtefact(repository, digest, 'not-json', warn);
  assert.match(warned.warning ?? '', /a signature cannot be read/);
});

test('oversized signature layers are never read, and only the first 32 layers are looked at', async () => {
  const { repository, digest, sigTag } = await artefact('oversized');
  const config = await pushJson(repository, {});
  const huge = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: `sha256:${'e'.repeat(64)}`, size: 5 << 30, annotations: { 'dev.cosignproject.cosign/signature': 'AAAA' } };
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: Array.from({ length: 1000 }, () => huge) };
  await repository.pushManifest(sigTag, Buffer.from(JSON.stringify(manifest)), manifest.mediaType);
  await assert.rejects(admitArtefact(repository, digest, 'oversized', require), (e: any) => {
    assert.equal(e.code, 'trust/refused');
    assert.equal(e.message.match(/larger than 1048576 bytes/g)?.length, 32);
    return true;
  });
});

test("a key id or digest holding terminal escapes is not repeated in the refusal", async () => {
  const { repository, digest, sigTag } = await artefact('escapes');
  const config = await pushJson(repository, {});
  const payload = await pushJson(repository, { critical: { identity: { 'docker-reference': '\u001b[2J' }, image: { 'docker-manifest-digest': '\u001b]0;owned\u0007' }, type: 'cosign container image signature' }, optional: null });
  const good = await pushJson(repository, { critical: { identity: { 'docker-reference': 'x' }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' }, optional: null });
  const layer = (p: { digest: string; size: number }) => ({ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', ...p, annotations: { 'dev.cosignproject.cosign/signature': 'AAAA', 'dev.nbpr.signature.key-id': '\u001b[31mred' } });
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [layer(payload), layer(good)] };
  await repository.pushManifest(sigTag, Buffer.from(JSON.stringify(manifest)), manifest.mediaType);
  await assert.rejects(admitArtefact(repository, digest, 'escapes', require), (e: any) => {
    assert.equal(e.code, 'trust/refused');
    assert.match(e.message, /names no sha256 manifest digest/);
    assert.match(e.message, /signed by a key the workspace does not trust \(or altered\)/);
    assert.doesNotMatch(e.format(), /\u001b|\u0007/);
    return true;
  });
});
