import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { hashTree, KEY_SCHEMA_VERSION } from '../src';
import { treeEntries } from '../src/tree-hash';
import { NbprError } from '@nbpr/model';
import { tempDir } from '../../../test/support/temp';

const root = tempDir('nbpr-tree-hash-');
let n = 0;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A small BR2_EXTERNAL-like tree; `order` reverses creation order to vary readdir order. */
function tree(order: 'forward' | 'reverse' = 'forward'): string {
  const dir = join(root, `t${n++}`);
  const files: Array<[string, string, number]> = [
    ['external.desc', 'name: NBPR_HELLO\n', 0o644],
    ['Config.in', 'source "$BR2_EXTERNAL_NBPR_HELLO_PATH/package/hello/Config.in"\n', 0o644],
    ['package/hello/hello.mk', 'HELLO_VERSION = 1\n', 0o644],
    ['package/hello/src/hello', '#!/bin/sh\necho hello\n', 0o755],
    ['package/hello/src/Hello', 'upper case sorts first\n', 0o644],
  ];
  for (const [path, content, mode] of order === 'forward' ? files : [...files].reverse()) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
    chmodSync(join(dir, path), mode);
  }
  return dir;
}

test('the golden tree hashes to its pinned value (the tree-hash format is part of the key)', async () => {
  const golden = JSON.parse(readFileSync(join(__dirname, 'golden-vectors.json'), 'utf8')) as {
    trees: Array<{ name: string; entries: Array<{ path: string; mode: string; content: string }>; ignored: Array<{ path: string; content: string }>; emptyDirectories: string[]; hash: string }>;
  };
  for (const vector of golden.trees) {
    const dir = join(root, `golden${n++}`);
    for (const { path, mode, content } of [...vector.entries, ...vector.ignored.map((e) => ({ ...e, mode: '644' }))]) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      if (mode === '120000') {
        symlinkSync(content, join(dir, path));
      } else {
        writeFileSync(join(dir, path), content);
        chmodSync(join(dir, path), mode === '755' ? 0o755 : 0o644);
      }
    }
    for (const empty of vector.emptyDirectories) mkdirSync(join(dir, empty), { recursive: true });
    const bump = `the tree-hash format changed: bump KEY_SCHEMA_VERSION (now ${KEY_SCHEMA_VERSION}) and regenerate golden-vectors.json on purpose`;
    assert.deepEqual((await treeEntries(dir)).map((e) => e.path), [...vector.entries.map((e) => e.path)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))), vector.name);
    assert.equal(await hashTree(dir), vector.hash, bump);
  }
});

test('the hash is sha256 over "<mode> <content sha256> <path>\\0" per entry, as documented', async () => {
  const dir = tree();
  symlinkSync('hello', join(dir, 'package/hello/src/alias'));
  const entries = await treeEntries(dir);
  const expected = createHash('sha256');
  for (const e of entries) expected.update(`${e.mode} ${e.sha256} ${e.path}\0`);
  assert.equal(await hashTree(dir), `sha256:${expected.digest('hex')}`);
  assert.deepEqual(entries.find((e) => e.path === 'package/hello/src/alias'), { path: 'package/hello/src/alias', mode: '120000', sha256: sha256('hello') });
  assert.deepEqual(entries.find((e) => e.path === 'package/hello/src/hello'), { path: 'package/hello/src/hello', mode: '755', sha256: sha256('#!/bin/sh\necho hello\n') });
});

test('the same content hashes the same whatever the creation order and mtimes', async () => {
  const a = tree('forward');
  const b = tree('reverse');
  utimesSync(join(b, 'external.desc'), new Date(0), new Date(0));
  utimesSync(join(b, 'package/hello/src/hello'), new Date(2_000_000_000_000), new Date(2_000_000_000_000));
  assert.equal(await hashTree(a), await hashTree(b));
  assert.match(await hashTree(a), /^sha256:[0-9a-f]{64}$/);
});

test('entries are sorted bytewise on UTF-8 paths: upper case before lower case, non-ASCII last', async () => {
  const dir = tree();
  writeFileSync(join(dir, 'package/hello/src/été'), 'summer\n');
  writeFileSync(join(dir, 'package/hello/src/z'), '');
  mkdirSync(join(dir, 'package/hello-extra'));
  writeFileSync(join(dir, 'package/hello-extra/x'), '');
  const paths = (await treeEntries(dir)).map((e) => e.path);
  // '-' (0x2d) sorts before '/' (0x2f): a path sort, not a per-directory walk order.
  assert.deepEqual(paths, ['Config.in', 'external.desc', 'package/hello-extra/x', 'package/hello/hello.mk', 'package/hello/src/Hello', 'package/hello/src/hello', 'package/hello/src/z', 'package/hello/src/été']);
});

test('a content change, a rename, an executable bit and a symlink target each change the hash', async () => {
  const base = await hashTree(tree());
  const content = tree();
  writeFileSync(join(content, 'package/hello/hello.mk'), 'HELLO_VERSION = 2\n');
  assert.notEqual(await hashTree(content), base, 'content');
  const renamed = tree();
  renameSync(join(renamed, 'Config.in'), join(renamed, 'Config.in.host'));
  assert.notEqual(await hashTree(renamed), base, 'rename');
  const moved = tree();
  mkdirSync(join(moved, 'sub'));
  renameSync(join(moved, 'Config.in'), join(moved, 'sub/Config.in'));
  assert.notEqual(await hashTree(moved), base, 'move into a directory');
  const mode = tree();
  chmodSync(join(mode, 'external.desc'), 0o755);
  assert.notEqual(await hashTree(mode), base, 'chmod +x');
  const link = tree();
  symlinkSync('hello', join(link, 'package/hello/src/alias'));
  const withLink = await hashTree(link);
  assert.notEqual(withLink, base, 'new symlink');
  unlinkSync(join(link, 'package/hello/src/alias'));
  symlinkSync('Hello', join(link, 'package/hello/src/alias'));
  assert.notEqual(await hashTree(link), withLink, 'symlink target');
});

test('a symlink is not followed and differs from a file holding its target string', async () => {
  const asLink = tree();
  symlinkSync('package', join(asLink, 'pkg'));
  const asFile = tree();
  writeFileSync(join(asFile, 'pkg'), 'package');
  const entries = await treeEntries(asLink);
  assert.equal(entries.filter((e) => e.path.startsWith('pkg')).length, 1, 'a link to a directory is one entry');
  assert.notEqual(await hashTree(asLink), await hashTree(asFile));
  symlinkSync('/nonexistent/target', join(asLink, 'dangling'));
  assert.equal((await treeEntries(asLink)).find((e) => e.path === 'dangling')?.sha256, sha256('/nonexistent/target'));
});

test('only the executable bit of a mode counts, not the other permission bits', async () => {
  const a = tree();
  chmodSync(join(a, 'external.desc'), 0o600);
  chmodSync(join(a, 'package/hello/src/hello'), 0o700);
  assert.equal(await hashTree(a), await hashTree(tree()));
  const groupExec = tree();
  chmodSync(join(groupExec, 'external.desc'), 0o654);
  assert.equal((await treeEntries(groupExec)).find((e) => e.path === 'external.desc')?.mode, '755', 'any x bit is executable');
});

test('VCS directories and files are ignored at any depth, including a submodule .git file', async () => {
  const base = await hashTree(tree());
  const dir = tree();
  for (const vcs of ['.git', '.hg', '.svn', '.bzr', 'CVS', 'package/hello/.git', 'package/hello/src/CVS']) {
    mkdirSync(join(dir, vcs, 'objects'), { recursive: true });
    writeFileSync(join(dir, vcs, 'HEAD'), 'ref: refs/heads/main\n');
  }
  for (const file of ['.gitignore', 'package/.gitattributes', 'package/hello/.gitmodules', 'package/hello/src/.hgignore']) writeFileSync(join(dir, file), '*.o\n');
  mkdirSync(join(dir, 'vendor'));
  writeFileSync(join(dir, 'vendor/.git'), 'gitdir: ../.git/modules/vendor\n');
  assert.equal(await hashTree(dir), base);
});

test('a file merely named like a VCS directory still counts', async () => {
  const dir = tree();
  writeFileSync(join(dir, 'CVS'), 'not a CVS directory\n');
  assert.ok((await treeEntries(dir)).some((e) => e.path === 'CVS'));
});

test('empty directories are ignored, however deep', async () => {
  const base = await hashTree(tree());
  const dir = tree();
  mkdirSync(join(dir, 'package/empty/deeper/still'), { recursive: true });
  mkdirSync(join(dir, 'output'));
  assert.equal(await hashTree(dir), base);
});

test('large files (streamed) and many small files (read in parallel) hash as their bytes, in a stable order', async () => {
  const dir = join(root, `many${n++}`);
  mkdirSync(join(dir, 'dl'), { recursive: true });
  const expected = new Map<string, string>();
  // Sizes around the whole-read limit and the chunk size, where off-by-one errors live.
  for (const size of [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 17]) {
    const data = Buffer.alloc(size, size % 251);
    for (let i = 0; i < size; i += 4093) data[i] = i % 256;
    writeFileSync(join(dir, 'dl', `size-${size}`), data);
    expected.set(`dl/size-${size}`, sha256(data));
  }
  for (let i = 0; i < 300; i++) {
    const content = `file ${i}\n`.repeat(i % 17);
    mkdirSync(join(dir, `p${i % 7}`), { recursive: true });
    writeFileSync(join(dir, `p${i % 7}`, `f${i}`), content);
    expected.set(`p${i % 7}/f${i}`, sha256(content));
  }
  const entries = await treeEntries(dir);
  assert.deepEqual(new Map(entries.map((e) => [e.path, e.sha256])), expected);
  assert.deepEqual(entries.map((e) => e.path), [...expected.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  assert.deepEqual(await treeEntries(dir), entries);
});

test('a FIFO in the tree is refused, naming it', async () => {
  const dir = tree();
  execFileSync('mkfifo', [join(dir, 'package/pipe')]);
  await assert.rejects(hashTree(dir), formatted(/\/package\/pipe: a FIFO in a package tree\n.*only files, directories and symlinks/));
});

test('a socket in the tree is refused, naming it', async () => {
  const dir = tree();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 'control.sock'), resolve));
  try {
    await assert.rejects(hashTree(dir), formatted(/control\.sock: a socket in a package tree/));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a device node in the tree is refused, naming it', { skip: process.getuid?.() !== 0 && 'only root can create device nodes' }, async () => {
  const dir = tree();
  try {
    execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3'], { stdio: 'ignore' });
  } catch {
    return; // a container without CAP_MKNOD
  }
  await assert.rejects(hashTree(dir), formatted(/\/null: a character device in a package tree/));
});

/**
 * Runs hashTree as an unprivileged user when the tests run as root (as in CI containers),
 * since root reads any file whatever its mode.
 */
/** An NbprError whose formatted text (place, what, hint) matches. */
function formatted(pattern: RegExp) {
  return (e: unknown) => e instanceof NbprError && pattern.test(e.format());
}

function hashTreeUnprivileged(dir: string): string {
  if (process.getuid?.() !== 0) throw new Error('only for root');
  chmodSync(root, 0o755);
  const script = `require(${JSON.stringify(join(__dirname, '../src'))}).hashTree(process.argv[1]).then((h) => console.log(h), (e) => console.log(e.format ? e.format() : e.message))`;
  return execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script, dir], { uid: 65534, gid: 65534, encoding: 'utf8' }).trim();
}

test('an unreadable file or directory is an error naming it', async () => {
  const file = tree();
  chmodSync(join(file, 'package/hello/hello.mk'), 0o000);
  const subdir = tree();
  chmodSync(join(subdir, 'package/hello/src'), 0o000);
  try {
    if (process.getuid?.() === 0) {
      chmodSync(file, 0o755);
      chmodSync(subdir, 0o755);
      assert.match(hashTreeUnprivileged(file), /^tree hash: cannot read .*\/package\/hello\/hello\.mk: EACCES$/);
      assert.match(hashTreeUnprivileged(subdir), /^.*\/package\/hello\/src: cannot read the directory: EACCES\n/);
    } else {
      await assert.rejects(hashTree(file), /tree hash: cannot read .*\/package\/hello\/hello\.mk: EACCES/);
      await assert.rejects(hashTree(subdir), formatted(/\/package\/hello\/src: cannot read the directory: EACCES/));
    }
  } finally {
    chmodSync(join(subdir, 'package/hello/src'), 0o755); // so that the after hook can remove it
  }
});

test('a name that is not UTF-8 is refused rather than hashed as a different path', async () => {
  const dir = tree();
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/package/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
  await assert.rejects(hashTree(dir), formatted(/\/package\/bad-.*: a file name that is not UTF-8 in a package tree/));
});

test('a missing tree is an error naming the directory', async () => {
  await assert.rejects(hashTree(join(root, 'nope')), formatted(/nope: cannot read the directory: ENOENT/));
});
