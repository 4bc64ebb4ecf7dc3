import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Header } from 'tar';
import { tarHeader, type TarEntry } from '../src/tar-writer';

// The packer encodes common headers itself for speed; the bytes must stay exactly tar's, or
// every artefact's digest would change.
test("common headers are byte for byte what tar's Header writes", () => {
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const name = (length: number) => Array.from({ length }, () => 'abcdefghijklmnopqrstuvwxyz0123456789._-+/ABC'[random(44)]).join('').replace(/\/+/g, '/').replace(/^\/|\/$/g, 'x');
  for (let i = 0; i < 3000; i++) {
    const type = (['File', 'Directory', 'SymbolicLink'] as const)[random(3)];
    const entry: TarEntry = { path: `target/${name(1 + random(110))}`, type, mode: [0o644, 0o755, 0o777][random(3)], size: type === 'File' ? [0, 1, 511, 512, 513, 2 ** 33 - 1, random(1e9)][random(7)] : 0 };
    if (type === 'SymbolicLink') entry.linkpath = name(1 + random(105));
    const mtime = new Date([0, 1_700_000_000, 2 ** 33 - 1, random(2 ** 31)][random(4)] * 1000);
    const expected = Buffer.alloc(512);
    const header = new Header({ path: type === 'Directory' ? `${entry.path}/` : entry.path, mode: entry.mode, uid: 0, gid: 0, uname: '', gname: '', size: entry.size, mtime, type, linkpath: entry.linkpath ?? '' });
    header.encode(expected, 0);
    const ours = tarHeader(entry, mtime);
    // With a pax header in front when needed: its ustar block comes last.
    assert.deepEqual(ours.subarray(ours.length - 512), expected, JSON.stringify({ entry, mtime }));
    assert.equal(ours.length > 512, header.needPax, 'a pax header exactly when tar needs one');
  }
});
