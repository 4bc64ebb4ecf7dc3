import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { extractArtefact, parseArtefactManifest } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import { hostileCorpus } from './hostile/corpus';
import { tempDir } from './support/temp';

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
