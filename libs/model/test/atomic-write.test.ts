import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../src';
import { rejectionText } from '../../../test/support/errors';
import { tempDir } from '../../../test/support/temp';

const root = tempDir();
let n = 0;
const fresh = () => {
  const dir = join(root, String(n++));
  mkdirSync(dir);
  return dir;
};

test('a file is written whole, replacing the one there, with no temporary file left', async () => {
  const dir = fresh();
  await writeFileAtomic(join(dir, 'a', 'b.txt'), 'one');
  await writeJsonAtomic(join(dir, 'a', 'b.txt'), { two: 2 });
  assert.equal(readFileSync(join(dir, 'a', 'b.txt'), 'utf8'), '{\n  "two": 2\n}\n');
  assert.deepEqual(readdirSync(join(dir, 'a')), ['b.txt']);
});

test('a file where a directory of the path must be is named as in the way (EEXIST, ENOTDIR), not a stack trace', async () => {
  const dir = fresh();
  mkdirSync(join(dir, 'dist', 'examples'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'examples', 'firmware'), 'x');
  const blocked = await rejectionText(writeJsonAtomic(join(dir, 'dist', 'examples', 'firmware', 'resolved.json'), {}));
  assert.match(blocked, new RegExp(`^${join(dir, 'dist', 'examples', 'firmware', 'resolved.json')}: cannot write the file: ${join(dir, 'dist', 'examples', 'firmware')} is a file where a directory must be\n  Remove or rename ${join(dir, 'dist', 'examples', 'firmware')}, then run again\\.\n  code: file/cannot-write$`));
  const other = fresh();
  writeFileSync(join(other, 'dist'), 'x');
  const deeper = await rejectionText(writeFileAtomic(join(other, 'dist', 'examples', 'firmware', 'resolved.json'), 'x'));
  assert.match(deeper, new RegExp(`cannot write the file: ${join(other, 'dist')} is a file where a directory must be\n  Remove or rename ${join(other, 'dist')},`));
  symlinkSync(join(other, 'nowhere'), join(other, 'dangling'));
  assert.match(await rejectionText(writeFileAtomic(join(other, 'dangling', 'x'), 'x')), /dangling is a dangling symlink where a directory must be/);
});

test('a directory where the file must be is named as in the way, and no temporary file is left', async () => {
  const dir = fresh();
  mkdirSync(join(dir, 'out.json', 'inside'), { recursive: true });
  const text = await rejectionText(writeJsonAtomic(join(dir, 'out.json'), {}));
  assert.match(text, new RegExp(`cannot write the file: ${join(dir, 'out.json')} is a directory where the file must be\n  Remove or rename ${join(dir, 'out.json')}, then run again\\.\n  code: file/cannot-write`));
  assert.deepEqual(readdirSync(dir), ['out.json']);
});

test('a place this user cannot write is a permission error with a hint', { skip: !existsSync('/sys/kernel') && 'no sysfs here' }, async () => {
  const text = await rejectionText(writeFileAtomic('/sys/nbpr-test/out.json', 'x'));
  assert.match(text, /^\/sys\/nbpr-test\/out\.json: cannot write the file: (permission denied \(EPERM\)|permission denied \(EACCES\)|read-only file system \(EROFS\))\n  Give this user write access to \/sys, or write elsewhere\.\n  code: file\/cannot-write$/);
});
