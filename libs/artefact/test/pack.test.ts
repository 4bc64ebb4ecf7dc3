import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lchownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync, chownSync, existsSync, lutimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extractArtefact, packArtefact, PackResult } from '../src';
import { HELLO_FILES, helloTree, key, keyDocument, MANIFEST, scratch } from './support';

const { root, path, dir: fresh } = scratch();
async function pack(sourceDir: string, extra: { mtime?: number } = {}): Promise<PackResult & { file: string }> {
  const file = path('out.tar.gz');
  return { ...(await packArtefact({ sourceDir, keyDocument, outFile: file, ...extra })), file };
}
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The same content as helloTree, made every way that must not matter. */
function hostileTwin(dir: string): string {
  const previous = process.umask(0o077);
  try {
    // Reverse creation order, tight modes, a hard link instead of a copy.
    for (const [path, content, mode] of [...HELLO_FILES].reverse()) {
      mkdirSync(join(dir, path, '..'), { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, path), content);
      chmodSync(join(dir, path), mode & 0o100 ? 0o700 : 0o600);
    }
    symlinkSync('nbpr-hello', join(dir, 'target/usr/bin/hello'));
    linkSync(join(dir, 'target/usr/bin/nbpr-hello'), join(dir, 'target/usr/bin/nbpr-hello2'));
  } finally {
    process.umask(previous);
  }
  // Other owners (root can), scattered mtimes, and atimes touched after the fact.
  const all = (readdirSync(dir, { recursive: true }) as string[]).map((p) => join(dir, p));
  for (const [i, path] of all.entries()) {
    if (process.getuid?.() === 0) lchownSync(path, 1234 + i, 5678);
    lutimesSync(path, new Date(1_600_000_000_000 + i * 7_777), new Date(1_500_000_000_000 + i * 999_999));
  }
  for (const path of all) if (statSync(path).isFile()) readFileSync(path);
  utimesSync(join(dir, 'target'), new Date(), new Date(42));
  return dir;
}

test('one tree packs to the same diff id and digest whatever its mtimes, owners, modes, umask, creation order, hard links and atimes', async () => {
  const plain = helloTree(fresh());
  writeFileSync(join(plain, 'target/usr/bin/nbpr-hello2'), '#!/bin/sh\necho hello\n');
  chmodSync(join(plain, 'target/usr/bin/nbpr-hello2'), 0o755);
  const twin = hostileTwin(join(fresh('deeper'), 'a', 'much', 'longer', 'path'));
  const a = await pack(plain);
  const previous = process.umask(0o027);
  const b = await pack(twin).finally(() => process.umask(previous));
  assert.equal(a.diffId, b.diffId);
  assert.equal(a.digest, b.digest);
  assert.equal(a.size, b.size);
  assert.equal(a.uncompressedSize, b.uncompressedSize);
  assert.deepEqual(a.metadata, b.metadata);
  assert.match(a.diffId, /^sha256:[0-9a-f]{64}$/);
  assert.equal(a.metadata.key, key);
  // Packing again, later, changes nothing either.
  const again = await pack(plain);
  assert.equal(again.digest, a.digest);
});

test('the diff id and digest are those of the bytes written, computed in the same pass', async () => {
  const r = await packArtefact({ sourceDir: helloTree(fresh()), keyDocument, outFile: join(root, 'digests.tar.gz') });
  const blob = readFileSync(join(root, 'digests.tar.gz'));
  assert.equal(r.digest, sha(blob));
  assert.equal(r.size, blob.length);
  const tar = gunzipSync(blob);
  assert.equal(r.diffId, sha(tar));
  assert.equal(r.uncompressedSize, tar.length);
  // No temporary sibling left behind.
  assert.deepEqual(readdirSync(root).filter((f) => f.includes('digests')), ['digests.tar.gz']);
});

test('the gzip header carries no mtime, no file name, and the Unix OS byte', async () => {
  const r = await pack(helloTree(fresh()));
  const blob = readFileSync(r.file);
  assert.deepEqual([...blob.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
});

test('every header is fixed: sorted paths, explicit directories, 0/0 without names, one mtime, normalised modes, no atime/ctime', async () => {
  const dir = helloTree(fresh());
  const long = `target/usr/share/${'d'.repeat(120)}/${'f'.repeat(120)}`;
  mkdirSync(join(dir, long, '..'), { recursive: true });
  writeFileSync(join(dir, long), 'long\n');
  mkdirSync(join(dir, 'target/usr/share/grüße'));
  writeFileSync(join(dir, 'target/usr/share/grüße/日本語.txt'), 'unicode\n');
  chmodSync(join(dir, 'target/usr/share/grüße/日本語.txt'), 0o664);
  const r = await pack(dir, { mtime: 1_700_000_000 });
  const tar = gunzipSync(readFileSync(r.file));
  const headers = rawHeaders(tar);
  const entries = headers.filter((h) => h.type !== 'x');
  assert.deepEqual(
    entries.map((h) => h.path),
    [...r.metadata.files.map((f) => (f.type === 'directory' ? `${f.path}/` : f.path)), 'nbpr-artefact.json'],
  );
  const paths = r.metadata.files.map((f) => f.path);
  assert.deepEqual(paths, [...paths].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  for (const h of headers) {
    assert.equal(h.uid, 0, h.path);
    assert.equal(h.gid, 0, h.path);
    assert.equal(h.uname, '', h.path);
    assert.equal(h.gname, '', h.path);
    assert.equal(h.mtime, 1_700_000_000, h.path);
    if (h.type === 'x') assert.ok(Object.keys(h.pax!).every((k) => ['path', 'linkpath', 'mtime', 'size'].includes(k)), JSON.stringify(h.pax));
    else assert.ok({ '5': [0o755], '0': [0o644, 0o755], '2': [0o777] }[h.type]?.includes(h.mode), `${h.path}: mode ${h.mode.toString(8)}`);
  }
  // Long and non-ASCII names went through pax headers and come back intact, with GNU tar too.
  assert.ok(headers.some((h) => h.type === 'x' && h.pax!.path === long));
  const gnu = fresh('gnu');
  execFileSync('tar', ['-xzf', r.file, '-C', gnu]);
  assert.equal(readFileSync(join(gnu, long), 'utf8'), 'long\n');
  assert.equal(statSync(join(gnu, 'target/usr/share/grüße/日本語.txt')).mode & 0o777, 0o644);
  const listing = execFileSync('tar', ['-tvzf', r.file, '--numeric-owner', '--full-time'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  for (const line of listing.trim().split('\n')) assert.match(line, / 0\/0 +\d+ 2023-11-14 22:13:20 /);
  const ours = fresh('ours');
  await extractArtefact(r.file, join(ours, 'x'));
  assert.equal(readFileSync(join(ours, 'x', long), 'utf8'), 'long\n');
  assert.equal(readFileSync(join(ours, 'x', 'target/usr/share/grüße/日本語.txt'), 'utf8'), 'unicode\n');
});

test('different content, or another mtime, gives another diff id', async () => {
  const a = await pack(helloTree(fresh()));
  const changed = helloTree(fresh());
  writeFileSync(join(changed, 'target/usr/share/nbpr-hello/greeting.txt'), 'Hi\n');
  assert.notEqual((await pack(changed)).diffId, a.diffId);
  const exec = helloTree(fresh());
  chmodSync(join(exec, 'target/usr/share/nbpr-hello/greeting.txt'), 0o744);
  assert.notEqual((await pack(exec)).diffId, a.diffId, 'the executable bit is content');
  assert.notEqual((await pack(helloTree(fresh()), { mtime: 1 })).diffId, a.diffId);
});

test('the metadata records the key document, the full key, every entry with hash and mode, and the build record', async () => {
  const build = { kconfig: { BR2_PACKAGE_NBPR_HELLO: 'y', BR2_PACKAGE_JQ: 'y' }, closure: ['jq', 'nbpr-hello'] };
  const r = await packArtefact({ sourceDir: helloTree(fresh()), keyDocument, build, outFile: join(root, 'meta.tar.gz') });
  assert.equal(r.metadata.schemaVersion, 1);
  assert.deepEqual(r.metadata.keyDocument, keyDocument);
  assert.equal(r.metadata.key, key);
  assert.deepEqual(r.metadata.build, build);
  const byPath = new Map(r.metadata.files.map((f) => [f.path, f]));
  assert.deepEqual(byPath.get('target/usr/bin/hello'), { path: 'target/usr/bin/hello', type: 'symlink', mode: 0o777, target: 'nbpr-hello' });
  assert.deepEqual(byPath.get('target/usr'), { path: 'target/usr', type: 'directory', mode: 0o755 });
  assert.deepEqual(byPath.get('legal-info/manifest.csv'), { path: 'legal-info/manifest.csv', type: 'file', mode: 0o644, size: MANIFEST.length, sha256: sha(MANIFEST).slice(7) });
  assert.equal(byPath.get('target/usr/bin/nbpr-hello')?.mode, 0o755);
  assert.deepEqual(r.metadata.sonames, { provided: [], needed: [] });
});

test('sockets, FIFOs and device files are refused, naming the file', async () => {
  const fifo = helloTree(fresh());
  execFileSync('mkfifo', [join(fifo, 'target/usr/pipe')]);
  await assert.rejects(pack(fifo), (e: Error) => /cannot hold FIFOs/.test(e.message) && (e as { where?: string }).where === join(fifo, 'target/usr/pipe'));
  const socket = helloTree(fresh());
  const server = createServer().listen(join(socket, 'target/sock'));
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await assert.rejects(pack(socket), /cannot hold sockets/);
  } finally {
    server.close();
  }
  const device = helloTree(fresh());
  try {
    execFileSync('mknod', [join(device, 'target/null'), 'c', '1', '3'], { stdio: 'ignore' });
  } catch {
    return; // no CAP_MKNOD here: the FIFO and socket cases stand for it
  }
  await assert.rejects(pack(device), /cannot hold device files/);
});

test('symlinks that leave the artefact are refused, also through each other', async () => {
  const absolute = helloTree(fresh());
  symlinkSync('/etc/passwd', join(absolute, 'target/passwd'));
  await assert.rejects(pack(absolute), /absolute link target \/etc\/passwd/);
  const up = helloTree(fresh());
  symlinkSync('../../..', join(up, 'target/usr/up'));
  await assert.rejects(pack(up), /escapes the tree/);
  const chain = helloTree(fresh());
  symlinkSync('..', join(chain, 'target/a'));
  symlinkSync('a/../x', join(chain, 'target/b'));
  await assert.rejects(pack(chain), /symlink target\/b -> a\/\.\.\/x: resolves outside the tree/);
  const inside = helloTree(fresh());
  symlinkSync('../legal-info/manifest.csv', join(inside, 'target/manifest'));
  await pack(inside);
});

test('the tree layout is checked before anything is written', async () => {
  const stray = helloTree(fresh());
  writeFileSync(join(stray, 'README'), 'x');
  await assert.rejects(pack(stray), /unexpected 'README' in an artefact tree/);
  const noTarget = fresh();
  mkdirSync(join(noTarget, 'legal-info'));
  await assert.rejects(pack(noTarget), /needs a target\/ directory/);
  const noManifest = helloTree(fresh());
  execFileSync('rm', [join(noManifest, 'legal-info/manifest.csv')]);
  await assert.rejects(pack(noManifest), /legal-info\/ has no manifest\.csv/);
  const badManifest = helloTree(fresh());
  writeFileSync(join(badManifest, 'legal-info/manifest.csv'), 'jq,1.7\n');
  await assert.rejects(pack(badManifest), /does not start with Buildroot's header/);
  const linkedTarget = fresh();
  symlinkSync(helloTree(fresh()), join(linkedTarget, 'target'));
  await assert.rejects(pack(linkedTarget), /target must be a directory/);
  const badName = helloTree(fresh());
  writeFileSync(Buffer.concat([Buffer.from(join(badName, 'target/')), Buffer.from([0x66, 0xff, 0x66])]), 'x');
  await assert.rejects(pack(badName), /not valid UTF-8/);
  // Nothing half-written was left where the output would go.
  assert.ok(readdirSync(root).every((f) => !f.endsWith('.tmp')));
});

test('an extracted artefact re-packs to the same bytes (its nbpr-artefact.json is regenerated)', async () => {
  const r = await pack(helloTree(fresh()));
  const dest = join(fresh('extracted'), 'x');
  await extractArtefact(r.file, dest);
  assert.ok(existsSync(join(dest, 'nbpr-artefact.json')));
  const again = await pack(dest);
  assert.equal(again.digest, r.digest);
});

test('the owner of the files does not matter even when packing as another user would see them', { skip: process.getuid?.() !== 0 }, async () => {
  const dir = helloTree(fresh());
  const a = await pack(dir);
  for (const p of readdirSync(dir, { recursive: true }) as string[]) if (!statSync(join(dir, p)).isSymbolicLink()) chownSync(join(dir, p), 65534, 65534);
  assert.equal((await pack(dir)).digest, a.digest);
});

interface RawHeader {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  pax?: Record<string, string>;
}

/** The headers of a tar, read field by field (the reader under test is not used to check itself). */
function rawHeaders(tar: Buffer): RawHeader[] {
  const out: RawHeader[] = [];
  let at = 0;
  let pax: Record<string, string> | undefined;
  const str = (o: number, l: number) => tar.subarray(at + o, at + o + l).toString('utf8').replace(/\0.*$/s, '');
  const num = (o: number, l: number) => parseInt(str(o, l).trim() || '0', 8);
  while (at + 512 <= tar.length && tar.subarray(at, at + 512).some((b) => b !== 0)) {
    const type = String.fromCharCode(tar[at + 156]);
    const size = num(124, 12);
    const prefix = str(345, 155);
    const h: RawHeader = { path: pax?.path ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100)), type, mode: num(100, 8), uid: num(108, 8), gid: num(116, 8), uname: str(265, 32), gname: str(297, 32), mtime: num(136, 12) };
    if (type !== 'x') pax = undefined;
    if (type === 'x') {
      const body = tar.subarray(at + 512, at + 512 + size).toString('utf8');
      h.pax = Object.fromEntries(body.trim().split('\n').map((line) => line.slice(line.indexOf(' ') + 1).split(/=(.*)/s).slice(0, 2)));
      pax = h.pax;
    }
    out.push(h);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
