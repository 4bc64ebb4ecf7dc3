import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extractArtefact, packArtefact } from '../src';
import { TarReader, TarEvent } from '../src/tar-reader';
import { craftArtefact, END, helloTree, key, keyDocument, listAll, tarBytes, type CraftEntry, scratch } from './support';

const { root, name, path, dir: fresh } = scratch();

async function packed() {
  const file = path('hello.tar.gz');
  return { file, ...(await packArtefact({ sourceDir: helloTree(fresh('src')), keyDocument, outFile: file })) };
}

/** Extraction of `blob` into a fresh parent must fail with `message` and leave the parent empty. */
async function refused(blob: string, message: RegExp, options = {}): Promise<void> {
  const parent = fresh('parent');
  await assert.rejects(extractArtefact(blob, join(parent, 'dest'), options), message);
  assert.deepEqual(readdirSync(parent), [], 'nothing is left behind');
}

test('an artefact extracts complete, verified, with normalised modes whatever the umask', async () => {
  const p = await packed();
  const dest = join(fresh(), 'tree');
  const previous = process.umask(0o077);
  const result = await extractArtefact(p.file, dest, { expectedDigest: p.digest, expectedDiffId: p.diffId, expectedKey: key }).finally(() => process.umask(previous));
  assert.equal(result.digest, p.digest);
  assert.equal(result.diffId, p.diffId);
  assert.equal(result.size, p.size);
  assert.equal(result.uncompressedSize, p.uncompressedSize);
  assert.deepEqual(result.metadata, p.metadata);
  assert.equal(readFileSync(join(dest, 'target/usr/bin/nbpr-hello'), 'utf8'), '#!/bin/sh\necho hello\n');
  assert.equal(statSync(join(dest, 'target/usr/bin/nbpr-hello')).mode & 0o7777, 0o755);
  assert.equal(statSync(join(dest, 'target/usr/share/nbpr-hello/greeting.txt')).mode & 0o7777, 0o644);
  assert.equal(statSync(join(dest, 'target/usr/share')).mode & 0o7777, 0o755);
  assert.equal(statSync(dest).mode & 0o7777, 0o755);
  assert.equal(readlinkSync(join(dest, 'target/usr/bin/hello')), 'nbpr-hello');
  assert.deepEqual(JSON.parse(readFileSync(join(dest, 'nbpr-artefact.json'), 'utf8')), p.metadata);
  assert.deepEqual(readdirSync(join(dest, '..')), ['tree'], 'no temporary sibling is left');
});

test('a wrong digest, diff id or key is refused, and nothing is left', async () => {
  const p = await packed();
  await refused(p.file, /artefact digest mismatch: expected sha256:0{64}, got sha256:[0-9a-f]{64}/, { expectedDigest: 'sha256:' + '0'.repeat(64) });
  await refused(p.file, /diff id\) mismatch/, { expectedDiffId: 'sha256:' + '0'.repeat(64) });
  await refused(p.file, new RegExp(`artefact is for key ${key}, expected f{64}`), { expectedKey: 'f'.repeat(64) });
});

test('a corrupt blob (flipped byte, truncation, garbage, missing) is refused, and nothing is left', async () => {
  const p = await packed();
  const blob = readFileSync(p.file);
  const flipped = Buffer.from(blob);
  flipped[Math.floor(blob.length / 2)] ^= 0x01;
  writeFileSync(join(root, 'flipped.tar.gz'), flipped);
  await refused(join(root, 'flipped.tar.gz'), /corrupt artefact|digest mismatch|malformed/, { expectedDigest: p.digest });
  writeFileSync(join(root, 'truncated.tar.gz'), blob.subarray(0, blob.length - 100));
  await refused(join(root, 'truncated.tar.gz'), /corrupt artefact: unexpected end of file/);
  writeFileSync(join(root, 'garbage.tar.gz'), Buffer.from('not gzip at all'));
  await refused(join(root, 'garbage.tar.gz'), /corrupt artefact: incorrect header check/);
  const tarOnly = gunzipSync(blob);
  writeFileSync(join(root, 'short-tar.tar.gz'), gzipSync(tarOnly.subarray(0, tarOnly.length - 1024)));
  await refused(join(root, 'short-tar.tar.gz'), /truncated archive/);
  await refused(join(root, 'absent.tar.gz'), /artefact blob not found/);
});

test('extraction never writes into an existing destination', async () => {
  const p = await packed();
  const parent = fresh();
  mkdirSync(join(parent, 'dest'));
  writeFileSync(join(parent, 'dest', 'mine'), 'keep');
  await assert.rejects(extractArtefact(p.file, join(parent, 'dest')), /destination of the extraction already exists/);
  assert.deepEqual(listAll(parent), ['dest', 'dest/mine']);
});

test('a hard link to a file extracted before it becomes a copy', async () => {
  const blob = craftArtefact(root, 'hardlink-ok', [
    { path: 'target/', type: 'Directory' },
    { path: 'target/a', type: 'File', content: 'shared', mode: 0o755 },
    { path: 'target/b', type: 'Link', linkpath: 'target/a', mode: 0o755 },
  ]);
  const dest = join(fresh(), 'x');
  await extractArtefact(blob, dest);
  assert.equal(readFileSync(join(dest, 'target/b'), 'utf8'), 'shared');
  assert.notEqual(statSync(join(dest, 'target/b')).ino, statSync(join(dest, 'target/a')).ino);
  assert.equal(statSync(join(dest, 'target/b')).mode & 0o777, 0o755);
});

test('the tar reader gives the same events however the stream is cut', async () => {
  const p = await packed();
  const tar = gunzipSync(readFileSync(p.file));
  const events = (size: number) => {
    const reader = new TarReader();
    const out: Array<TarEvent | { kind: 'bytes'; data: string }> = [];
    let data: Buffer[] = [];
    for (let at = 0; at < tar.length; at += size) {
      for (const e of reader.push(tar.subarray(at, at + size))) {
        if (e.kind === 'data') data.push(Buffer.from(e.data));
        else {
          if (data.length) out.push({ kind: 'bytes', data: Buffer.concat(data).toString('base64') });
          data = [];
          out.push(e);
        }
      }
    }
    reader.end();
    return out;
  };
  const whole = events(tar.length);
  assert.ok(whole.length > 20);
  for (const size of [1, 7, 511, 512, 513, 4096]) assert.deepEqual(events(size), whole, `chunks of ${size}`);
});

// Archives an attacker could hand over. Each must be refused with a reason, leave nothing in
// the destination's parent, and write nothing outside it.
const file = (path: string, content = 'x'): CraftEntry => ({ path, type: 'File', content });
const dir = (path: string): CraftEntry => ({ path, type: 'Directory' });
const link = (path: string, linkpath: string): CraftEntry => ({ path, type: 'SymbolicLink', linkpath });
const malicious: Array<[string, CraftEntry[], RegExp, Parameters<typeof craftArtefact>[3]?]> = [
  ['an absolute path', [file('/tmp/nbpr-escape-abs')], /"\/tmp\/nbpr-escape-abs": absolute path/],
  ["a path through '..'", [dir('target/'), file('target/../../nbpr-escape')], /through '\.\.'/],
  ["a '.' segment", [dir('target/'), file('target/./x')], /not a canonical path/],
  ['an empty segment', [dir('target/'), file('target//x')], /not a canonical path/],
  ['a path outside the artefact roots', [file('home/user/.bashrc')], /outside the artefact roots/],
  ['an absolute symlink', [dir('target/'), link('target/etc', '/etc')], /absolute link target \/etc/],
  ['a symlink escaping the tree', [dir('target/'), link('target/up', '../../..')], /link target \.\.\/\.\.\/\.\. escapes the tree/],
  ['symlinks escaping through each other', [dir('target/'), link('target/a', '..'), link('target/b', 'a/../nbpr-escape')], /symlink target\/b -> a\/\.\.\/nbpr-escape: resolves outside the tree/],
  ['a symlink loop', [dir('target/'), link('target/a', 'b'), link('target/b', 'a')], /too many levels of symbolic links/],
  ['a file written through a symlink', [dir('target/'), dir('target/usr/'), link('target/lib', 'usr'), file('target/lib/x')], /"target\/lib\/x": path through a symlink/],
  ['a file written through a symlink spelt in another case', [dir('target/'), dir('target/usr/'), link('target/Lib', 'usr'), file('target/lib/x')], /path through a symlink/],
  ['a file over a symlink (a duplicate)', [dir('target/'), link('target/x', 'y'), file('target/x')], /"target\/x": listed twice/],
  ['a directory listed twice', [dir('target/'), dir('target/')], /listed twice/],
  ['a hard link out of the tree', [dir('target/'), { path: 'target/h', type: 'Link', linkpath: '../../etc/passwd' }], /hard link target "\.\.\/\.\.\/etc\/passwd": path through '\.\.'/],
  ['an absolute hard link', [dir('target/'), { path: 'target/h', type: 'Link', linkpath: '/etc/passwd' }], /hard link target "\/etc\/passwd": absolute path/],
  ['a hard link to a symlink', [dir('target/'), link('target/l', 'x'), { path: 'target/h', type: 'Link', linkpath: 'target/l' }], /not a regular file extracted before it/],
  ['a hard link to a file that comes later', [dir('target/'), { path: 'target/h', type: 'Link', linkpath: 'target/z' }, file('target/z')], /not a regular file extracted before it/],
  ['a character device', [dir('target/'), { path: 'target/null', type: 'CharacterDevice' }], /character device entries are not supported/],
  ['a block device', [dir('target/'), { path: 'target/sda', type: 'BlockDevice' }], /block device entries are not supported/],
  ['a FIFO', [dir('target/'), { path: 'target/fifo', type: 'FIFO' }], /FIFO entries are not supported/],
  ['a GNU long name', [{ path: '././@LongLink', type: 'NextFileHasLongPath', content: '/etc/passwd\0' }, file('target/x')], /GNU long name entries are not supported/],
  ['a pax global header', [{ path: 'pax_global_header', type: 'GlobalExtendedHeader', content: '20 path=/etc/passwd\n' }], /pax global header entries are not supported/],
  ['an unknown pax record', [dir('target/'), { ...file('target/x'), pax: { path: 'target/x', comment: 'hi' } }], /unsupported pax record 'comment'/],
  ['a pax path that escapes', [dir('target/'), { ...file('target/x'), pax: { path: '../nbpr-escape-pax' } }], /"\.\.\/nbpr-escape-pax": path through '\.\.'/],
  ['a bad header checksum', [dir('target/'), file('target/x')], /bad header checksum/, { raw: (t) => ((t[600] ^= 1), t) }],
  ['data after the end of the archive', [dir('target/'), file('target/x')], /data after the end of the archive/, { raw: (t) => Buffer.concat([t, Buffer.from('smuggled')]) }],
  ['a missing nbpr-artefact.json', [dir('target/'), file('target/x')], /not an NBPR artefact: no nbpr-artefact\.json/, { withMetadata: false }],
];

for (const [what, entries, message, options] of malicious) {
  test(`extraction refuses ${what}, leaving nothing`, async () => {
    const blob = craftArtefact(root, name('mal'), entries, options);
    await refused(blob, message);
    for (const escape of ['/tmp/nbpr-escape-abs', join(root, 'nbpr-escape'), join(root, 'nbpr-escape-pax')]) assert.ok(!existsSync(escape), `${escape} was not written`);
  });
}

test('extraction refuses entries that contradict the metadata', async () => {
  const base: CraftEntry[] = [dir('target/'), file('target/x', 'real')];
  await refused(craftArtefact(root, 'unlisted', [...base, file('target/extra')], { metadata: (m) => (m.files = m.files.filter((f) => f.path !== 'target/extra')) }), /target\/extra is in the archive but not listed/);
  await refused(craftArtefact(root, 'missing', base, { metadata: (m) => m.files.push({ path: 'target/y', type: 'file', mode: 0o644, size: 0, sha256: '0'.repeat(64) }) }), /target\/y is listed but not in the archive/);
  await refused(craftArtefact(root, 'hash', base, { metadata: (m) => ((m.files[1] as { sha256: string }).sha256 = 'e'.repeat(64)) }), /target\/x is \["file",420,4,"[0-9a-f]{64}"\] in the archive but listed as/);
  await refused(craftArtefact(root, 'mode', base, { metadata: (m) => (m.files[1].mode = 0o755) }), /target\/x is .* but listed as \["file",493/);
  await refused(craftArtefact(root, 'key', base, { metadata: (m) => (m.key = 'f'.repeat(64)) }), /invalid nbpr-artefact\.json:\n\s+\/key: f{64} is not the hash of the key document/);
  await refused(craftArtefact(root, 'schema', base, { metadata: (m) => ((m as { schemaVersion: number }).schemaVersion = 2) }), /\/schemaVersion: expected 1, got 2/);
  const twice = craftArtefact(root, 'twice', base, { raw: (t) => Buffer.concat([t.subarray(0, t.length - 1024), tarBytes({ path: 'nbpr-artefact.json', type: 'File', content: '{}' }), END]) });
  await refused(twice, /"nbpr-artefact\.json": not one regular file/);
});
