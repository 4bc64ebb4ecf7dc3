import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { NbprError } from '@nbpr/model';
import { extractArtefact } from '../src';
import { END, listAll, metadataFor, scratch, tarBytes, type CraftEntry } from './support';

// What an artefact writes is bounded: by NBPR_MAX_ARTEFACT_BYTES, and, once its metadata has
// been read, by what the metadata lists; padding after the archive is bounded too. Refused as
// soon as a bound is crossed, with nothing left behind.

const { dir: fresh } = scratch();
const MiB = 1 << 20;

function archive(name: string, parts: Buffer[]): string {
  const file = join(fresh(name), 'a.tar.gz');
  writeFileSync(file, gzipSync(Buffer.concat(parts)));
  return file;
}
const metadataEntry = (listed: CraftEntry[]) => tarBytes({ path: 'nbpr-artefact.json', type: 'File', content: JSON.stringify(metadataFor(listed)) });

async function refusedLeavingNothing(file: string, pattern: RegExp): Promise<void> {
  const parent = fresh('out');
  const dest = join(parent, 'tree');
  await assert.rejects(extractArtefact(file, dest), (e: unknown) => e instanceof NbprError && pattern.test(e.message));
  assert.ok(!existsSync(dest));
  assert.deepEqual(listAll(parent), [], 'no temporary sibling left');
}

test('an archive that unpacks to more than NBPR_MAX_ARTEFACT_BYTES is refused once the cap is crossed, even when its metadata lists it', async () => {
  const big: CraftEntry = { path: 'target/zeros', type: 'File', content: Buffer.alloc(2 * MiB) };
  const file = archive('bomb', [tarBytes(big), metadataEntry([big]), END]);
  const old = process.env.NBPR_MAX_ARTEFACT_BYTES;
  process.env.NBPR_MAX_ARTEFACT_BYTES = String(MiB);
  try {
    await refusedLeavingNothing(file, /unpacks to more than 1048576 bytes/);
  } finally {
    if (old === undefined) delete process.env.NBPR_MAX_ARTEFACT_BYTES;
    else process.env.NBPR_MAX_ARTEFACT_BYTES = old;
  }
});

test('after the metadata, an entry it does not list is refused at its header, before any of it is written', async () => {
  const small: CraftEntry = { path: 'target/a', type: 'File', content: 'hello' };
  const file = archive('unlisted', [metadataEntry([small]), tarBytes(small), tarBytes({ path: 'target/zeros', type: 'File', content: Buffer.alloc(MiB) }), END]);
  await refusedLeavingNothing(file, /"target\/zeros": not listed in nbpr-artefact\.json/);
});

test('after the metadata, a file larger than it lists is refused at its header', async () => {
  const small: CraftEntry = { path: 'target/a', type: 'File', content: 'hello' };
  const file = archive('larger', [metadataEntry([small]), tarBytes({ path: 'target/a', type: 'File', content: Buffer.alloc(MiB) }), END]);
  await refusedLeavingNothing(file, /"target\/a": 1048576 bytes, nbpr-artefact\.json lists 5 bytes/);
});

test('more zero padding after the end of the archive than any record needs is refused', async () => {
  const small: CraftEntry = { path: 'target/a', type: 'File', content: 'hello' };
  const file = archive('padded', [tarBytes(small), metadataEntry([small]), END, Buffer.alloc(2 * MiB)]);
  await refusedLeavingNothing(file, /more than 1048576 bytes of padding after the end of the archive/);
});

test('a file used as a parent directory, or a name too long for the filesystem, is refused saying so', async () => {
  const file: CraftEntry = { path: 'target/a', type: 'File', content: 'x' };
  const child: CraftEntry = { path: 'target/a/b', type: 'File', content: 'y' };
  await refusedLeavingNothing(archive('through-file', [tarBytes(file), tarBytes(child), metadataEntry([file, child]), END]), /"target\/a\/b": its parent "target\/a" is a file, not a directory/);
  const long: CraftEntry = { path: `target/${'n'.repeat(300)}`, type: 'File', content: 'z', pax: { path: `target/${'n'.repeat(300)}` } };
  await refusedLeavingNothing(archive('long-name', [tarBytes(long), metadataEntry([long]), END]), /a name too long for this filesystem/);
});
