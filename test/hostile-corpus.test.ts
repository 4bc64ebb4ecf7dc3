import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ArtefactStore, openStore, extractArtefact, parseArtefactManifest } from '@nbpr/artefact';
import { fetchArtefact, publishArtefact, siteFor } from '@nbpr/sites';
import { NbprError } from '@nbpr/model';
import { hostileCorpus } from './hostile/corpus';
import { tempDir } from './support/temp';
import { packedHello } from './support/artefacts';
import { startFaultProxy, type Fault } from './support/fault-proxy';
import { startRegistry } from './support/registry';

// Every case of the generated hostile corpus (test/hostile/corpus.ts) is refused with an
// NbprError, leaves nothing behind, and never crashes: the summary line is what CI reads.

test('the hostile-input corpus: every case refused with an error naming it, nothing accepted, nothing left behind', async () => {
  const dir = tempDir();
  const outcome = { tried: 0, refused: 0, accepted: [] as string[], crashed: [] as string[] };
  for (const [i, c] of hostileCorpus().entries()) {
    outcome.tried++;
    try {
      if (c.kind === 'tar') {
        const work = join(dir, String(i));
        mkdirSync(work);
        const blob = c.build(work);
        const dest = join(work, 'tree');
        await extractArtefact(blob, dest);
      } else {
        parseArtefactManifest(c.bytes, `corpus ${c.name}`);
      }
      outcome.accepted.push(c.name);
    } catch (error) {
      if (error instanceof NbprError) outcome.refused++;
      else outcome.crashed.push(`${c.name}: ${String(error)}`);
      if (c.kind === 'tar') {
        const work = join(dir, String(i));
        assert.ok(!existsSync(join(work, 'tree')), `${c.name}: no tree left`);
        assert.deepEqual(readdirSync(work).filter((n) => n !== `${readdirSync(work).find((f) => f.endsWith('.tar.gz'))}`), [], `${c.name}: no temporary sibling left`);
      }
    }
  }
  console.log(`# hostile corpus: tried ${outcome.tried}, refused ${outcome.refused}, accepted ${outcome.accepted.length}, crashed ${outcome.crashed.length}`);
  assert.deepEqual(outcome.accepted, [], 'accepted');
  assert.deepEqual(outcome.crashed, [], 'not refused with an NbprError');
  assert.ok(outcome.tried >= 30);
});

test('network faults on the layer (flipped byte, truncation, reset, persistent 503, stalled body): every fetch refused, nothing kept', async () => {
  const registry = await startRegistry();
  const dir = tempDir();
  const packed = await packedHello(dir);
  await publishArtefact(siteFor(`${registry.host}/nbpr`, dir).repository('nbpr-hello'), packed.tag, packed, packed.file);
  const faults: Fault[] = [{ kind: 'flip' }, { kind: 'truncate' }, { kind: 'reset' }, { kind: 'status', status: 503, retryAfter: '100' }, { kind: 'stall-body', ms: 5_000 }];
  let refused = 0;
  for (const fault of faults) {
    const proxy = await startFaultProxy(registry.url);
    proxy.add({ method: 'GET', path: new RegExp(packed.digest), fault, times: Infinity });
    const storeDir = join(tempDir(), 'store');
    const site = siteFor(`${proxy.host}/nbpr`, dir, { http: { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 }, idleTimeoutMs: 300, headersTimeoutMs: 2_000 } });
    const outcome = await fetchArtefact({ name: 'nbpr-hello', key: packed.key, tag: packed.tag }, [site], openStore(undefined, { NBPR_CACHE_DIR: storeDir }));
    if (outcome.status === 'error') refused++;
    assert.equal(outcome.status, 'error', `${fault.kind}: ${JSON.stringify(outcome)}`);
    assert.deepEqual(readdirSync(join(storeDir, 'blobs', 'sha256')), [], `${fault.kind}: no blob kept`);
    assert.deepEqual(readdirSync(join(storeDir, 'trees')).filter((n) => !n.startsWith('.')), [], `${fault.kind}: no tree kept`);
  }
  console.log(`# hostile network faults: tried ${faults.length}, refused ${refused}, accepted ${faults.length - refused}`);
});
