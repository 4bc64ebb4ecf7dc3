import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packArtefact, readElfDynamic } from '../src';
import { tempDir } from '../../../test/support/temp';
import { helloTree, keyDocument } from './support';

const root = tempDir();

/**
 * A minimal dynamic ELF image: header, two program headers (PT_LOAD over the whole file at
 * `base`, PT_DYNAMIC), the dynamic section, the string table. What a linker would leave,
 * for classes and byte orders this host's gcc cannot make.
 */
function elf(o: { bits: 32 | 64; le: boolean; soname?: string; needed?: string[]; base?: number; corrupt?: (b: Buffer, layout: { dyn: number; phoff: number }) => void }): Buffer {
  const is64 = o.bits === 64;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const phoff = ehsize;
  const dynOff = phoff + 2 * phentsize;
  const names = [o.soname, ...(o.needed ?? [])].filter((x): x is string => x !== undefined);
  let strtab = Buffer.from([0]);
  const offsets = names.map((name) => {
    const at = strtab.length;
    strtab = Buffer.concat([strtab, Buffer.from(name + '\0')]);
    return at;
  });
  const entrySize = is64 ? 16 : 8;
  const dynEntries: Array<[number, number]> = [];
  const base = o.base ?? 0x10000;
  const strOff = dynOff + (names.length + 3) * entrySize;
  if (o.soname !== undefined) dynEntries.push([14, offsets[0]]);
  (o.needed ?? []).forEach((_, i) => dynEntries.push([1, offsets[i + (o.soname !== undefined ? 1 : 0)]]));
  dynEntries.push([5, base + strOff], [10, strtab.length], [0, 0]);
  const size = strOff + strtab.length;
  const b = Buffer.alloc(size);
  const u16 = (v: number, at: number) => (o.le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (o.le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  const word = (v: number, at: number) => (is64 ? (o.le ? b.writeBigUInt64LE(BigInt(v), at) : b.writeBigUInt64BE(BigInt(v), at)) : u32(v, at));
  b.write('\x7fELF', 0, 'latin1');
  b[4] = is64 ? 2 : 1;
  b[5] = o.le ? 1 : 2;
  b[6] = 1;
  u16(3, 16); // ET_DYN
  u16(is64 ? 183 : 40, 18); // aarch64 / arm
  word(phoff, is64 ? 32 : 28);
  u16(ehsize, is64 ? 52 : 40);
  u16(phentsize, is64 ? 54 : 42);
  u16(2, is64 ? 56 : 44);
  const ph = (i: number, type: number, offset: number, vaddr: number, filesz: number) => {
    const at = phoff + i * phentsize;
    u32(type, at);
    word(offset, at + (is64 ? 8 : 4));
    word(vaddr, at + (is64 ? 16 : 8));
    word(filesz, at + (is64 ? 32 : 16));
  };
  ph(0, 1, 0, base, size);
  ph(1, 2, dynOff, base + dynOff, dynEntries.length * entrySize);
  dynEntries.forEach(([tag, value], i) => {
    word(tag, dynOff + i * entrySize);
    word(value, dynOff + i * entrySize + entrySize / 2);
  });
  strtab.copy(b, strOff);
  o.corrupt?.(b, { dyn: dynOff, phoff });
  return b;
}

const write = (name: string, bytes: Buffer | string) => {
  const path = join(root, name);
  writeFileSync(path, bytes);
  return path;
};

for (const bits of [32, 64] as const) {
  for (const le of [true, false]) {
    test(`DT_SONAME and DT_NEEDED of a ${bits}-bit ${le ? 'little' : 'big'}-endian ELF`, async () => {
      const path = write(`lib${bits}${le}.so`, elf({ bits, le, soname: 'libfoo.so.1', needed: ['libc.so.6', 'libm.so.6'] }));
      assert.deepEqual(await readElfDynamic(path), { bits, endian: le ? 'little' : 'big', type: 3, soname: 'libfoo.so.1', needed: ['libc.so.6', 'libm.so.6'] });
    });
  }
}

test('a real shared library and executable from gcc read as readelf reads them', async (t) => {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return t.skip('no gcc');
  }
  writeFileSync(join(root, 'foo.c'), 'int foo(void) { return 42; }\n');
  writeFileSync(join(root, 'main.c'), 'int foo(void);\nint main(void) { return foo(); }\n');
  execFileSync('gcc', ['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1', '-o', join(root, 'libfoo.so.1'), join(root, 'foo.c')]);
  execFileSync('gcc', ['-o', join(root, 'main'), join(root, 'main.c'), `-L${root}`, '-l:libfoo.so.1']);
  const lib = await readElfDynamic(join(root, 'libfoo.so.1'));
  const exe = await readElfDynamic(join(root, 'main'));
  const readelf = (file: string) => {
    const out = execFileSync('readelf', ['-d', file], { encoding: 'utf8' });
    return { soname: /Library soname: \[(.*)\]/.exec(out)?.[1] ?? null, needed: [...out.matchAll(/Shared library: \[(.*)\]/g)].map((m) => m[1]) };
  };
  assert.deepEqual({ soname: lib!.soname, needed: lib!.needed }, readelf(join(root, 'libfoo.so.1')));
  assert.deepEqual({ soname: exe!.soname, needed: exe!.needed }, readelf(join(root, 'main')));
  assert.equal(lib!.soname, 'libfoo.so.1');
  assert.ok(exe!.needed.includes('libfoo.so.1'));

  // Packed under target/, they give the artefact's sonames; an ELF under staging/ does not count.
  const src = helloTree(join(root, 'src'));
  mkdirSync(join(src, 'target/usr/lib'), { recursive: true });
  mkdirSync(join(src, 'staging/usr/lib'), { recursive: true });
  writeFileSync(join(src, 'target/usr/lib/libfoo.so.1'), readFileSync(join(root, 'libfoo.so.1')));
  writeFileSync(join(src, 'target/usr/bin/main'), readFileSync(join(root, 'main')));
  writeFileSync(join(src, 'staging/usr/lib/libbar.so'), elf({ bits: 64, le: true, soname: 'libbar.so.2', needed: ['libbaz.so'] }));
  const packed = await packArtefact({ sourceDir: src, keyDocument, outFile: join(root, 'elf.tar.gz') });
  assert.deepEqual(packed.metadata.sonames, { provided: ['libfoo.so.1'], needed: [...new Set(['libfoo.so.1', ...exe!.needed])].sort() });
});

test('files that are not ELF, and ELF without a dynamic section, have no sonames', async () => {
  assert.equal(await readElfDynamic(write('script', '#!/bin/sh\n')), null);
  assert.equal(await readElfDynamic(write('empty', '')), null);
  assert.equal(await readElfDynamic(write('tiny', '\x7fEL')), null);
  const stat = elf({ bits: 64, le: true });
  // No program headers at all: a relocatable object such as a kernel module.
  stat.writeUInt16LE(0, 56);
  assert.deepEqual(await readElfDynamic(write('module.ko', stat)), { bits: 64, endian: 'little', type: 3, soname: null, needed: [] });
});

test('a damaged ELF file is an error naming it, never a silent "needs nothing"', async () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['bad-class', elf({ bits: 64, le: true, corrupt: (b) => (b[4] = 9) }), /unknown class 9/],
    ['truncated', elf({ bits: 64, le: true, needed: ['libc.so.6'] }).subarray(0, 100), /beyond the end of the file/],
    ['huge-phoff', elf({ bits: 64, le: true, corrupt: (b) => b.writeBigUInt64LE(1n << 60n, 32) }), /program header offset \d+ beyond the end/],
    ['strtab-nowhere', elf({ bits: 32, le: false, needed: ['libc.so.6'], corrupt: (b, l) => b.writeUInt32BE(0x7000000, l.dyn + 12) }), /string table address 0x7000000 is in no loadable segment/],
    ['name-outside', elf({ bits: 32, le: true, needed: ['libc.so.6'], corrupt: (b, l) => b.writeUInt32LE(100000, l.dyn + 4) }), /string offset 100000 outside the string table/],
  ];
  for (const [name, bytes, message] of cases) {
    const path = write(name, bytes);
    await assert.rejects(readElfDynamic(path), (e: Error & { where?: string }) => message.test(e.message) && e.where === path, name);
  }
});
