import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NbprError } from '@nbpr/model';
import { publishArtefact, siteFor } from '../src';
import { startRegistry } from '../../../test/support/registry';
import { packedHello } from '../../../test/support/artefacts';
import { tempDir } from '../../../test/support/temp';

// Two publishers of different content for one key, at the same moment, against a real
// registry (which has no compare-and-swap for tags): exactly one may say "published", and the
// tag holds what it published.

test('publish is immutable under concurrency: one "published" per key in every round, the tag holding its manifest', async () => {
  const registry = await startRegistry();
  const dir = tempDir();
  const rounds = 12;
  let lostRaces = 0;
  for (let round = 0; round < rounds; round++) {
    const a = await packedHello(dir, 'echo a', `race-${round}`);
    const b = await packedHello(dir, 'echo b', `race-${round}`);
    assert.equal(a.tag, b.tag, 'one key, two contents');
    assert.notEqual(a.digest, b.digest);
    const repository = () => siteFor(`${registry.host}/race`, dir).repository('nbpr-hello');
    const outcomes = await Promise.allSettled([a, b].map((p) => publishArtefact(repository(), p.tag, p, p.file, { settleMs: 300 })));
    const published = outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'published') as PromiseFulfilledResult<{ status: string; manifestDigest: string }>[];
    const refused = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    assert.equal(published.length, 1, `round ${round}: ${JSON.stringify(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : String((o as PromiseRejectedResult).reason))))}`);
    assert.equal(refused.length, 1);
    assert.ok(refused[0].reason instanceof NbprError && /already holds other content|lost a race/.test(refused[0].reason.message), String(refused[0].reason));
    if (/lost a race/.test(refused[0].reason.message)) {
      lostRaces++;
      assert.match(refused[0].reason.format(), /the tag now holds sha256:[0-9a-f]{64}, this publish wrote sha256:[0-9a-f]{64}/);
    }
    const held = await repository().resolveTag(a.tag);
    assert.equal(held?.digest, published[0].value.manifestDigest, 'the tag holds what the one "published" published');
  }
  console.log(`# publish race: ${rounds} rounds, ${lostRaces} decided by the read-back after the write, ${rounds - lostRaces} by the check before it`);
});

test('publishing one key with two contents into an image layout at once: the tag is written by compare-and-swap, one "published", nothing replaced', async () => {
  const dir = tempDir();
  const layout = join(tempDir(), 'layout');
  for (let round = 0; round < 8; round++) {
    const a = await packedHello(dir, 'echo a', `layout-race-${round}`);
    const b = await packedHello(dir, 'echo b', `layout-race-${round}`);
    const repository = () => siteFor(`oci-layout:${layout}`, dir).repository('nbpr-hello');
    const outcomes = await Promise.allSettled([a, b].map((p) => publishArtefact(repository(), p.tag, p, p.file)));
    const published = outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'published') as PromiseFulfilledResult<{ manifestDigest: string }>[];
    assert.equal(published.length, 1, `round ${round}: ${JSON.stringify(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : String((o as PromiseRejectedResult).reason))))}`);
    assert.equal((await repository().resolveTag(a.tag))?.digest, published[0].value.manifestDigest);
  }
});
