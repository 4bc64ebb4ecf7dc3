import { open } from 'node:fs/promises';

export interface ElfDynamicInfo {
  soname: string | null;
  needed: string[];
}

const ELF_MAGIC = 0x7f454c46;
const PT_DYNAMIC = 2;
const PT_LOAD = 1;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_SONAME = 14;

/**
 * DT_SONAME and DT_NEEDED of an ELF file, read from its program headers (32/64-bit, either
 * endianness), or null when the file is not ELF. Enough to check at stage time that every
 * library a binary needs is provided, without a cross toolchain's readelf.
 */
export async function readElfDynamic(path: string): Promise<ElfDynamicInfo | null> {
  const file = await open(path, 'r');
  try {
    const ident = Buffer.alloc(64);
    const { bytesRead } = await file.read(ident, 0, 64, 0);
    if (bytesRead < 52 || ident.readUInt32BE(0) !== ELF_MAGIC) return null;
    const is64 = ident[4] === 2;
    const le = ident[5] === 1;
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const addr = (b: Buffer, o: number) => (is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(b, o));
    const phoff = addr(ident, is64 ? 32 : 28);
    const phentsize = u16(ident, is64 ? 54 : 42);
    const phnum = u16(ident, is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    await file.read(table, 0, table.length, phoff);
    const loads: Array<{ vaddr: number; offset: number; filesz: number }> = [];
    let dynamic: { offset: number; size: number } | null = null;
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const type = u32(table, o);
      const offset = addr(table, o + (is64 ? 8 : 4));
      const vaddr = addr(table, o + (is64 ? 16 : 8));
      const filesz = addr(table, o + (is64 ? 32 : 16));
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
      if (type === PT_DYNAMIC) dynamic = { offset, size: filesz };
    }
    if (!dynamic) return { soname: null, needed: [] };
    const dyn = Buffer.alloc(dynamic.size);
    await file.read(dyn, 0, dyn.length, dynamic.offset);
    const entrySize = is64 ? 16 : 8;
    const neededOffsets: number[] = [];
    let sonameOffset: number | null = null;
    let strtabAddr: number | null = null;
    for (let o = 0; o + entrySize <= dyn.length; o += entrySize) {
      const tag = addr(dyn, o);
      const value = addr(dyn, o + entrySize / 2);
      if (tag === DT_NULL) break;
      if (tag === DT_NEEDED) neededOffsets.push(value);
      if (tag === DT_SONAME) sonameOffset = value;
      if (tag === DT_STRTAB) strtabAddr = value;
    }
    if (strtabAddr === null) return { soname: null, needed: [] };
    // DT_STRTAB is a virtual address: map it to a file offset through the loadable segments.
    const segment = loads.find((l) => strtabAddr! >= l.vaddr && strtabAddr! < l.vaddr + l.filesz);
    const strtabOffset = segment ? strtabAddr - segment.vaddr + segment.offset : strtabAddr;
    const readString = async (offset: number): Promise<string> => {
      const chunk = Buffer.alloc(256);
      const { bytesRead: n } = await file.read(chunk, 0, 256, strtabOffset + offset);
      const end = chunk.subarray(0, n).indexOf(0);
      return chunk.subarray(0, end < 0 ? n : end).toString('utf8');
    };
    return {
      soname: sonameOffset === null ? null : await readString(sonameOffset),
      needed: await Promise.all(neededOffsets.map(readString)),
    };
  } finally {
    await file.close();
  }
}
