import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, treeEntries } from '../src';
import { tempDir } from '../../../test/support/temp';

const root = tempDir();
let n = 0;

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
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
    chmodSync(join(dir, path), mode);
  }
  return dir;
}

test('the same content hashes the same whatever the creation order and mtimes', async () => {
  const a = tree('forward');
  const b = tree('reverse');
  utimesSync(join(b, 'external.desc'), new Date(0), new Date(0));
  assert.equal(await hashTree(a), await hashTree(b));
  assert.match(await hashTree(a), /^sha256:[0-9a-f]{64}$/);
});

test('entries are sorted bytewise, upper case before lower case', async () => {
  const paths = (await treeEntries(tree())).map((e) => e.path);
  assert.deepEqual(paths, ['Config.in', 'external.desc', 'package/hello/hello.mk', 'package/hello/src/Hello', 'package/hello/src/hello']);
});

test('a content change, a rename, an executable bit and a symlink target each change the hash', async () => {
  const base = await hashTree(tree());
  const content = tree();
  writeFileSync(join(content, 'package/hello/hello.mk'), 'HELLO_VERSION = 2\n');
  assert.notEqual(await hashTree(content), base);
  const renamed = tree();
  renameSync(join(renamed, 'Config.in'), join(renamed, 'Config.in.host'));
  assert.notEqual(await hashTree(renamed), base);
  const mode = tree();
  chmodSync(join(mode, 'external.desc'), 0o755);
  assert.notEqual(await hashTree(mode), base);
  const link = tree();
  symlinkSync('hello', join(link, 'package/hello/src/alias'));
  const withLink = await hashTree(link);
  assert.notEqual(withLink, base);
  unlinkSync(join(link, 'package/hello/src/alias'));
  symlinkSync('Hello', join(link, 'package/hello/src/alias'));
  assert.notEqual(await hashTree(link), withLink);
});

test('only the executable bit of a mode counts, not the other permission bits', async () => {
  const a = tree();
  chmodSync(join(a, 'external.desc'), 0o600);
  assert.equal(await hashTree(a), await hashTree(tree()));
});

test('VCS files and empty directories are ignored', async () => {
  const base = await hashTree(tree());
  const dir = tree();
  mkdirSync(join(dir, '.git', 'objects'), { recursive: true });
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(dir, 'package', '.gitignore'), '*.o\n');
  mkdirSync(join(dir, 'package', 'empty'));
  assert.equal(await hashTree(dir), base);
});

test('a FIFO in the tree is refused, naming it', async () => {
  const dir = tree();
  execFileSync('mkfifo', [join(dir, 'pipe')]);
  await assert.rejects(hashTree(dir), /pipe is neither a file, a directory nor a symlink/);
});

test('a missing tree is an error naming the directory', async () => {
  await assert.rejects(hashTree(join(root, 'nope')), /cannot read directory .*nope/);
});
