import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock, tryLock } from '@nbpr/model';
import { packArtefact, PackResult } from '../src';
import { openStore, type ArtefactStore, type PutOptions, type StoredArtefact } from '../src/store';
import { storeLocation } from '../src/store-location';
import { helloTree, key, keyDocument, scratch } from './support';
import { rejectionText } from '../../../test/support/errors';

const { root, path, dir: fresh } = scratch();
const src = join(__dirname, '..', 'src', 'store');

let packedOnce: (PackResult & { file: string }) | undefined;
/** One packed artefact, copied for each use (the store may move what it is given). */
async function blob(): Promise<PackResult & { file: string }> {
  if (!packedOnce) {
    const file = join(root, 'hello.tar.gz');
    packedOnce = { file, ...(await packArtefact({ sourceDir: helloTree(fresh('src')), keyDocument, outFile: file })) };
  }
  const copy = path('copy.tar.gz');
  copyFileSync(packedOnce.file, copy);
  return { ...packedOnce, file: copy };
}

/** A pid that no process has: one that just exited. */
/** A key's artefact from a blob file, unless the key is here already. */
async function put(store: ArtefactStore, key: string, file: string, options: PutOptions = {}): Promise<StoredArtefact> {
  return (await store.obtain(key, (locked) => locked.put(file, options)))!.artefact;
}

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8', env: { PATH: process.env.PATH } }).stdout);
}

test('the store lives at NBPR_CACHE_DIR, else $XDG_DATA_HOME/nerves/nbpr, else ~/.nerves/nbpr', () => {
  assert.equal(storeLocation({ NBPR_CACHE_DIR: '/c', XDG_DATA_HOME: '/x', HOME: '/h' }).root, '/c');
  assert.equal(storeLocation({ XDG_DATA_HOME: '/x', HOME: '/h' }).root, '/x/nerves/nbpr');
  assert.equal(storeLocation({ XDG_DATA_HOME: 'relative', HOME: '/h' }).root, '/h/.nerves/nbpr');
  assert.equal(storeLocation({ HOME: '/h' }).root, '/h/.nerves/nbpr');
  assert.equal(openStore('/s').root, '/s');
  assert.equal(openStore(undefined, { NBPR_CACHE_DIR: '/c' }).root, '/c');
});

test('storeLocation says which variable chose the store, for an error to name what to change', () => {
  assert.deepEqual(storeLocation({ NBPR_CACHE_DIR: '/c', HOME: '/h' }), { root: '/c', setBy: 'NBPR_CACHE_DIR' });
  assert.deepEqual(storeLocation({ XDG_DATA_HOME: '/x', HOME: '/h' }), { root: '/x/nerves/nbpr', setBy: 'XDG_DATA_HOME' });
  assert.deepEqual(storeLocation({ HOME: '/h' }), { root: '/h/.nerves/nbpr', setBy: 'HOME' });
});

test('a store that cannot be created (a file in the way) is an NbprError naming it and NBPR_CACHE_DIR, also through obtain', async () => {
  const file = path('not-a-directory');
  writeFileSync(file, 'x');
  const expected = `${file} (NBPR_CACHE_DIR): cannot create the local artefact store: ${file} is a file where a directory must be\n  Remove or rename ${file}, then run again. Or set NBPR_CACHE_DIR to a directory this user can write.\n  code: store/unwritable`;
  assert.equal(await rejectionText(openStore(undefined, { NBPR_CACHE_DIR: file }).prepare()), expected);
  assert.equal(await rejectionText(openStore(undefined, { NBPR_CACHE_DIR: file }).obtain(key, () => assert.fail('not produced'))), expected);
  const home = path('home-is-a-file');
  writeFileSync(home, 'x');
  assert.match(await rejectionText(openStore(undefined, { HOME: home }).prepare()), new RegExp(`^${join(home, '.nerves', 'nbpr')} \\(the default under HOME; NBPR_CACHE_DIR is not set\\): cannot create the local artefact store: ${home} is a file where a directory must be`));
});

test('a store where this user cannot write is an NbprError with the NBPR_CACHE_DIR way out', { skip: !existsSync('/sys/kernel') && 'no sysfs here' }, async () => {
  const text = await rejectionText(openStore(undefined, { NBPR_CACHE_DIR: '/sys/nbpr-store' }).prepare());
  assert.match(text, /^\/sys\/nbpr-store \(NBPR_CACHE_DIR\): cannot create the local artefact store: (permission denied \(E(PERM|ACCES)\)|read-only file system \(EROFS\))\n  Give this user write access to \/sys, or write elsewhere\. Or set NBPR_CACHE_DIR to a directory this user can write\.\n  code: store\/unwritable$/);
});

test('obtain through the locked key verifies and stores the blob and the tree, then get and has find them; a second is a no-op', async () => {
  const store = openStore(fresh('store'));
  const b = await blob();
  assert.equal(await store.has(key), false);
  assert.equal(await store.get(key), undefined);
  const stored = await put(store, key, b.file, { expectedDigest: b.digest, expectedDiffId: b.diffId, tag: 'the-tag', source: 'test' });
  assert.deepEqual(stored, { key, tag: 'the-tag', digest: b.digest, size: b.size, diffId: b.diffId, source: 'test', tree: store.treePath(key) });
  assert.equal(await store.has(key), true);
  assert.deepEqual(await store.get(key), stored);
  assert.deepEqual(readFileSync(store.blobPath(b.digest)), readFileSync(b.file));
  assert.equal(readFileSync(join(stored.tree, 'target/usr/bin/nbpr-hello'), 'utf8'), '#!/bin/sh\necho hello\n');
  const again = await put(store, key, (await blob()).file, { source: 'elsewhere' });
  assert.equal(again.source, 'test', 'the first artefact of a key stays');
  assert.deepEqual(readdirSync(join(store.root, 'blobs', 'sha256')), [b.digest.slice(7)], 'no temporary file left');
  assert.deepEqual(readdirSync(join(store.root, 'trees')).sort(), [key, `${key}.json`]);
});

test('a blob that is not what was asked for, or not an artefact of the key, is not stored', async () => {
  const store = openStore(fresh('store'));
  const b = await blob();
  await assert.rejects(put(store, key, b.file, { expectedDigest: 'sha256:' + '0'.repeat(64) }), /blob digest mismatch/);
  await assert.rejects(put(store, 'e'.repeat(64), b.file), new RegExp(`artefact is for key ${key}, expected e{64}`));
  writeFileSync(join(root, 'junk'), 'junk');
  await assert.rejects(put(store, key, join(root, 'junk')), /corrupt artefact/);
  assert.deepEqual(readdirSync(join(store.root, 'blobs', 'sha256')), []);
  assert.deepEqual(readdirSync(join(store.root, 'trees')), []);
  assert.equal(await store.has(key), false);
  await assert.rejects(put(store, 'not-a-key', b.file), /not a cache key/);
});

test('a tree without its record (a run that died before finishing) is not "here", and is replaced', async () => {
  const store = openStore(fresh('store'));
  mkdirSync(join(store.treePath(key), 'target'), { recursive: true });
  writeFileSync(join(store.treePath(key), 'target', 'half'), '');
  assert.equal(await store.has(key), false);
  let produced = 0;
  const b = await blob();
  const got = await store.obtain(key, async (locked) => (produced++, locked.put(b.file, { expectedDigest: b.digest })));
  assert.equal(got?.produced, true);
  assert.equal(produced, 1);
  assert.ok(!existsSync(join(store.treePath(key), 'target', 'half')));
  // Found from now on, without producing.
  const second = await store.obtain(key, async () => assert.fail('not called'));
  assert.equal(second?.produced, false);
  assert.equal(await store.obtain('d'.repeat(64), async () => undefined), undefined, 'a miss stays a miss');
});

test('two processes obtaining the same key at once produce it once, and no one ever sees a half-extracted tree', async () => {
  const storeDir = fresh('store');
  const b = await blob();
  const counter = path('counter');
  const barrier = fresh('barrier');
  const script = path('racer.js');
  writeFileSync(
    script,
    `const fs = require('fs');
const { openStore } = require(${JSON.stringify(src)});
(async () => {
  fs.writeFileSync(${JSON.stringify(barrier)} + '/ready-' + process.pid, '');
  while (!fs.existsSync(${JSON.stringify(join(barrier, 'go'))})) await new Promise((r) => setTimeout(r, 5));
  const store = openStore(${JSON.stringify(storeDir)});
  const got = await store.obtain(${JSON.stringify(key)}, async (locked) => {
    fs.appendFileSync(${JSON.stringify(counter)}, process.pid + '\\n');
    await new Promise((r) => setTimeout(r, 400));
    const mine = ${JSON.stringify(b.file)} + '.' + process.pid;
    fs.copyFileSync(${JSON.stringify(b.file)}, mine);
    return locked.put(mine, { expectedDigest: ${JSON.stringify(b.digest)}, move: true, source: 'racer ' + process.pid });
  });
  const files = fs.readdirSync(got.artefact.tree, { recursive: true }).length;
  process.stdout.write(JSON.stringify({ produced: got.produced, source: got.artefact.source, files }));
})().catch((e) => { console.error(e); process.exit(1); });
`,
  );
  const run = () =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [script], { env: process.env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });
  const racers = [run(), run()];
  while (readdirSync(barrier).length < 2) await new Promise((r) => setTimeout(r, 10));
  writeFileSync(join(barrier, 'go'), '');
  // Watch the store while they race: whenever the tree or its record is there, it is whole.
  const store = openStore(storeDir);
  let done = false;
  let sightings = 0;
  const watching = (async () => {
    while (!done) {
      if (existsSync(store.treePath(key))) {
        sightings++;
        assert.ok(existsSync(join(store.treePath(key), 'nbpr-artefact.json')), 'a tree in place is complete');
        assert.ok(existsSync(join(store.treePath(key), 'target/usr/bin/nbpr-hello')));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const results = await Promise.all(racers);
  done = true;
  await watching;
  for (const r of results) assert.equal(r.code, 0, r.err);
  const outs = results.map((r) => JSON.parse(r.out));
  assert.deepEqual(outs.map((o) => o.produced).sort(), [false, true], 'one produced, the other found it');
  assert.equal(outs[0].source, outs[1].source);
  assert.equal(outs[0].files, outs[1].files);
  assert.equal(readFileSync(counter, 'utf8').trim().split('\n').length, 1, 'produced exactly once');
  assert.ok(sightings > 0);
  assert.deepEqual(readdirSync(join(storeDir, 'locks')), [], 'locks released');
});

test('a lock whose holder died is taken over; a live one is waited for', async () => {
  const dir = fresh('locks');
  const lock = join(dir, 'k.lock');
  writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'x' }));
  const release = await tryLock(lock);
  assert.ok(release, 'the dead holder lost it');
  assert.equal(await tryLock(lock), undefined, 'a live holder keeps it');
  let waited = '';
  let got = false;
  const waiting = acquireLock(lock, { pollMs: 5, onWait: (h) => (waited = h) }).then((r) => ((got = true), r));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(got, false);
  assert.equal(waited, `pid ${process.pid} on ${hostname()}`);
  await release!();
  await (await waiting)();
  assert.ok(!existsSync(lock));
});

test('a lock not refreshed for staleMs is taken over (a holder on another host), and by one taker only', async () => {
  const dir = fresh('locks');
  const lock = join(dir, 'k.lock');
  writeFileSync(lock, JSON.stringify({ pid: 1, host: 'another-host', token: 'x' }));
  assert.equal(await tryLock(lock, { staleMs: 60_000 }), undefined, 'fresh: its host may still be working');
  utimesSync(lock, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
  const takers = await Promise.all(Array.from({ length: 12 }, () => tryLock(lock, { staleMs: 60_000 })));
  assert.equal(takers.filter(Boolean).length, 1);
  assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid);
  await takers.find(Boolean)!();
});

test('a held lock stays fresh while its holder works', async () => {
  const lock = join(fresh('locks'), 'k.lock');
  const release = await acquireLock(lock, { staleMs: 200 });
  utimesSync(lock, new Date(0), new Date(0));
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(await tryLock(lock, { staleMs: 200 }), undefined, 'the heartbeat refreshed it');
  await release();
});

test('ls lists what the store holds; clean removes trees, their blobs and what dead runs left, but not what a live run holds', async () => {
  const store = openStore(fresh('store'));
  const b = await blob();
  await put(store, key, b.file, { tag: 'hello-tag', source: 'test' });
  const other = { ...keyDocument, options: { variant: 'two' } };
  const otherFile = path('other.tar.gz');
  const otherPacked = await packArtefact({ sourceDir: helloTree(fresh('src')), keyDocument: other, outFile: otherFile });
  await put(store, otherPacked.metadata.key, otherFile, { source: 'test' });
  const listed = await store.ls();
  assert.deepEqual(listed.map((e) => e.key).sort(), [key, otherPacked.metadata.key].sort());
  const hello = listed.find((e) => e.key === key)!;
  assert.equal(hello.complete, true);
  assert.equal(hello.name, 'nbpr-hello');
  assert.equal(hello.version, '0.1.0');
  assert.equal(hello.tag, 'hello-tag');
  assert.equal(hello.digest, b.digest);
  assert.equal(hello.blobBytes, b.size);
  assert.ok(hello.treeBytes > 0);

  // What a killed run leaves: a partial extraction and a partial blob, named with its dead pid.
  const dead = deadPid();
  mkdirSync(join(store.root, 'trees', `.${key}.${dead}.deadbeef.partial`, 'target'), { recursive: true });
  writeFileSync(join(store.root, 'blobs', 'sha256', `.${dead}.deadbeef.tmp`), 'partial');
  const live = join(store.root, 'trees', `.${key}.${process.pid}.cafebabe.partial`);
  mkdirSync(live);

  const one = await store.clean({ keys: [otherPacked.metadata.key] });
  assert.deepEqual(one.trees, [otherPacked.metadata.key]);
  assert.deepEqual(one.blobs, [otherPacked.digest]);
  assert.equal(one.leftovers.length, 2, 'what dead runs left goes with any clean');
  assert.equal(await store.has(key), true);

  // A key whose lock a live run holds is left alone.
  const release = await acquireLock(join(store.root, 'locks', `${key}.lock`));
  const busy = await store.clean();
  assert.deepEqual(busy.busy, [key]);
  assert.equal(await store.has(key), true);
  assert.ok(existsSync(store.blobPath(b.digest)));
  await release();

  const all = await store.clean();
  assert.deepEqual(all.trees, [key]);
  assert.deepEqual(all.blobs, [b.digest]);
  assert.ok(all.bytes > b.size);
  assert.ok(existsSync(live), "a live run's temporary directory stays");
  assert.deepEqual(await store.ls(), []);
});
