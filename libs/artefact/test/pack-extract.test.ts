import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import type { KeyDocument } from '@nbpr/key';
import { extractArtefact, packArtefact } from '../src';
import { TAR_END, tarPadding } from '../src/tar-writer';
import { tempDir } from '../../../test/support/temp';

const root = tempDir();
let n = 0;
const keyDocument: KeyDocument = {
  nbpr: 1,
  package: { name: 'nbpr-hello', version: '0.1.0' },
  build: { packages: ['nbpr-hello'], kconfig: { BR2_PACKAGE_NBPR_HELLO: 'y' } },
  options: {},
  system: { app: 'nerves_system_nbpr_example', version: '0.1.0', buildroot: '2026.05.1', config: 'sha256:' + '5'.repeat(64) },
  tree: 'sha256:' + 'a'.repeat(64),
};

/** An artefact tree as a source build leaves it; `variant` changes everything that must not matter. */
function artefactTree(variant: 0 | 1): string {
  const dir = join(root, `tree${n++}`);
  const files: Array<[string, string, number]> = [
    ['target/usr/bin/nbpr-hello', '#!/bin/sh\necho hello\n', variant ? 0o700 : 0o755],
    ['target/usr/share/nbpr-hello/greeting.txt', 'Hello from NBPR\n', variant ? 0o600 : 0o644],
    ['legal-info/manifest.csv', '"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"\n"nbpr-hello","0.1.0","Apache-2.0","LICENSE","nbpr-hello-0.1.0.tar.gz","",""\n', 0o644],
    ['legal-info/licenses/nbpr-hello-0.1.0/LICENSE', 'Apache-2.0\n', 0o644],
  ];
  for (const [path, content, mode] of variant ? [...files].reverse() : files) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
    chmodSync(join(dir, path), mode);
    if (variant) utimesSync(join(dir, path), new Date(1e12), new Date(1e12 + n));
  }
  symlinkSync('nbpr-hello', join(dir, 'target/usr/bin/hello'));
  return dir;
}

test('the same tree packs to the same bytes whatever mtimes, permission bits and creation order', async () => {
  const a = await packArtefact({ sourceDir: artefactTree(0), keyDocument, outFile: join(root, 'a.tar.gz') });
  const b = await packArtefact({ sourceDir: artefactTree(1), keyDocument, outFile: join(root, 'b.tar.gz') });
  assert.equal(a.diffId, b.diffId);
  assert.equal(a.digest, b.digest);
  assert.deepEqual(readFileSync(join(root, 'a.tar.gz')), readFileSync(join(root, 'b.tar.gz')));
  assert.match(a.diffId, /^sha256:[0-9a-f]{64}$/);
  assert.equal(a.size, statSync(join(root, 'a.tar.gz')).size);
});

test('different content packs to a different diff id', async () => {
  const dir = artefactTree(0);
  writeFileSync(join(dir, 'target/usr/share/nbpr-hello/greeting.txt'), 'Hi\n');
  const a = await packArtefact({ sourceDir: artefactTree(0), keyDocument, outFile: join(root, 'c.tar.gz') });
  const b = await packArtefact({ sourceDir: dir, keyDocument, outFile: join(root, 'd.tar.gz') });
  assert.notEqual(a.diffId, b.diffId);
});

test('an artefact extracts with modes and relative symlinks kept, and its metadata verified', async () => {
  const packed = await packArtefact({ sourceDir: artefactTree(0), keyDocument, outFile: join(root, 'e.tar.gz') });
  const dest = join(root, 'extracted-e');
  const result = await extractArtefact(join(root, 'e.tar.gz'), dest, { expectedDigest: packed.digest, expectedDiffId: packed.diffId, expectedKey: packed.metadata.key });
  assert.equal(readFileSync(join(dest, 'target/usr/bin/nbpr-hello'), 'utf8'), '#!/bin/sh\necho hello\n');
  assert.equal(statSync(join(dest, 'target/usr/bin/nbpr-hello')).mode & 0o777, 0o755);
  assert.equal(statSync(join(dest, 'target/usr/share/nbpr-hello/greeting.txt')).mode & 0o777, 0o644);
  assert.equal(readlinkSync(join(dest, 'target/usr/bin/hello')), 'nbpr-hello');
  assert.equal(result.metadata.key, packed.metadata.key);
  assert.deepEqual(result.metadata.files.map((f) => f.path), ['legal-info', 'legal-info/licenses', 'legal-info/licenses/nbpr-hello-0.1.0', 'legal-info/licenses/nbpr-hello-0.1.0/LICENSE', 'legal-info/manifest.csv', 'target', 'target/usr', 'target/usr/bin', 'target/usr/bin/hello', 'target/usr/bin/nbpr-hello', 'target/usr/share', 'target/usr/share/nbpr-hello', 'target/usr/share/nbpr-hello/greeting.txt']);
});

test('a flipped byte is refused and leaves nothing behind', async () => {
  const packed = await packArtefact({ sourceDir: artefactTree(0), keyDocument, outFile: join(root, 'f.tar.gz') });
  const blob = readFileSync(join(root, 'f.tar.gz'));
  blob[Math.floor(blob.length / 2)] ^= 0x01;
  writeFileSync(join(root, 'f-bad.tar.gz'), blob);
  const parent = join(root, 'flip');
  mkdirSync(parent);
  await assert.rejects(extractArtefact(join(root, 'f-bad.tar.gz'), join(parent, 'dest'), { expectedDigest: packed.digest }), /corrupt artefact|digest mismatch/);
  assert.deepEqual(readdirSync(parent), [], 'no partial tree is left');
});

test('a wrong expected digest is refused', async () => {
  await packArtefact({ sourceDir: artefactTree(0), keyDocument, outFile: join(root, 'g.tar.gz') });
  const parent = join(root, 'wrong');
  mkdirSync(parent);
  await assert.rejects(extractArtefact(join(root, 'g.tar.gz'), join(parent, 'dest'), { expectedDigest: 'sha256:' + '0'.repeat(64) }), /artefact digest mismatch/);
  assert.deepEqual(readdirSync(parent), []);
});

/** A tarball with arbitrary entries, as an attacker would write it. */
function craft(name: string, entries: Array<{ path: string; type: string; linkpath?: string; content?: string }>): string {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.content ?? '');
    const block = Buffer.alloc(512);
    new Header({ path: e.path, type: e.type as 'File', mode: 0o644, size: e.type === 'File' ? body.length : 0, linkpath: e.linkpath, mtime: new Date(0), uid: 0, gid: 0 }).encode(block, 0);
    blocks.push(block, body, tarPadding(body.length));
  }
  blocks.push(TAR_END);
  const file = join(root, `${name}.tar.gz`);
  writeFileSync(file, gzipSync(Buffer.concat(blocks)));
  return file;
}

const malicious: Array<[string, Array<{ path: string; type: string; linkpath?: string; content?: string }>, RegExp]> = [
  ['an absolute path', [{ path: '/etc/passwd', type: 'File', content: 'x' }], /absolute path/],
  ["a path through '..'", [{ path: 'target/../../escape', type: 'File', content: 'x' }], /through '\.\.'/],
  ['a path outside the artefact roots', [{ path: 'home/user/.bashrc', type: 'File', content: 'x' }], /outside the artefact roots/],
  ['a symlink escaping the tree', [{ path: 'target/evil', type: 'SymbolicLink', linkpath: '../../../etc' }], /escapes the tree/],
  ['an absolute symlink', [{ path: 'target/evil', type: 'SymbolicLink', linkpath: '/etc' }], /absolute link target/],
  ['a file written through a symlink', [{ path: 'target/dir', type: 'SymbolicLink', linkpath: 'usr' }, { path: 'target/dir/x', type: 'File', content: 'x' }], /through a symlink/],
  ['a hard link', [{ path: 'target/a', type: 'File', content: 'x' }, { path: 'target/b', type: 'Link', linkpath: 'target/a' }], /hard links/],
  ['a device file', [{ path: 'target/dev/sda', type: 'BlockDevice' }], /devices, FIFOs/],
  ['a FIFO', [{ path: 'target/fifo', type: 'FIFO' }], /devices, FIFOs/],
];

for (const [what, entries, message] of malicious) {
  test(`extraction refuses ${what} and leaves nothing`, async () => {
    const parent = join(root, `mal${n++}`);
    mkdirSync(parent);
    await assert.rejects(extractArtefact(craft(`mal${n}`, entries), join(parent, 'dest')), message);
    assert.deepEqual(readdirSync(parent), []);
    assert.ok(!existsSync(join(root, 'escape')));
  });
}
