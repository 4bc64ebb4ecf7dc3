import { open } from 'node:fs/promises';
import { NbprError } from '@nbpr/model';

export interface ElfDynamicInfo {
  /** 32 or 64. */
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** e_type: 1 relocatable (e.g. a kernel module), 2 executable, 3 shared object or PIE. */
  type: number;
  soname: string | null;
  needed: string[];
}

/** Reads `length` bytes at `offset`, fewer at the end of the file. */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_STRSZ = 10n;
const DT_SONAME = 14n;
/** Far more than any real dynamic section or library name; a bound against hostile headers. */
const MAX_DYNAMIC_BYTES = 1 << 20;
const MAX_NAME_BYTES = 4096;

/**
 * DT_SONAME and DT_NEEDED of an ELF file (32/64-bit, either endianness), or null when the file
 * is not ELF. Enough to check at stage time that every library a binary needs is provided,
 * without a cross toolchain's readelf. A file that claims to be ELF but whose dynamic section
 * cannot be read is an error, not "no dependencies": that would hide a missing library.
 */
export async function readElfDynamic(path: string): Promise<ElfDynamicInfo | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    return await parseElfDynamic(
      async (offset, length) => {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
        return buffer.subarray(0, bytesRead);
      },
      size,
      path,
    );
  } finally {
    await file.close();
  }
}

/** The reader behind readElfDynamic, over any random-access source of `size` bytes. */
export async function parseElfDynamic(readAt: ReadAt, size: number, where: string): Promise<ElfDynamicInfo | null> {
  const ident = await readAt(0, 64);
  if (ident.length < 16 || ident.readUInt32BE(0) !== 0x7f454c46) return null;
  const malformed = (what: string): never => {
    throw new NbprError(`malformed ELF file: ${what}`, { code: 'artefact/malformed-elf', where, hint: 'The file starts like an ELF binary but is truncated or corrupt; rebuild the package.' });
  };
  const elfClass = ident[4];
  const data = ident[5];
  if (elfClass !== 1 && elfClass !== 2) malformed(`unknown class ${elfClass}`);
  if (data !== 1 && data !== 2) malformed(`unknown data encoding ${data}`);
  const is64 = elfClass === 2;
  const le = data === 1;
  if (ident.length < (is64 ? 64 : 52)) malformed('header truncated');

  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  // Addresses, offsets and sizes are 32 or 64 bits wide: BigInt until checked against the file size.
  const word = (b: Buffer, o: number): bigint => (is64 ? (le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : BigInt(u32(b, o)));
  const offsetIn = (value: bigint, what: string): number => (value > BigInt(size) ? malformed(`${what} ${value} beyond the end of the file (${size} bytes)`) : Number(value));

  const type = u16(ident, 16);
  const phoff = offsetIn(word(ident, is64 ? 32 : 28), 'program header offset');
  const phentsize = u16(ident, is64 ? 54 : 42);
  const phnum = u16(ident, is64 ? 56 : 44);
  const info = { bits: is64 ? 64 : 32, endian: le ? 'little' : 'big', type } as const;
  if (phnum === 0) return { ...info, soname: null, needed: [] };
  if (phentsize < (is64 ? 56 : 32)) malformed(`program header entry size ${phentsize}`);
  if (phoff + phentsize * phnum > size) malformed('program headers beyond the end of the file');
  const table = await readAt(phoff, phentsize * phnum);

  const loads: Array<{ vaddr: bigint; offset: bigint; filesz: bigint }> = [];
  let dynamic: { offset: number; size: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const o = i * phentsize;
    const pType = u32(table, o);
    // Elf64_Phdr puts p_flags second; Elf32_Phdr puts it after p_memsz.
    const offset = word(table, o + (is64 ? 8 : 4));
    const vaddr = word(table, o + (is64 ? 16 : 8));
    const filesz = word(table, o + (is64 ? 32 : 16));
    if (pType === PT_LOAD) loads.push({ vaddr, offset, filesz });
    if (pType === PT_DYNAMIC) {
      const start = offsetIn(offset, 'dynamic section offset');
      dynamic = { offset: start, size: Math.min(offsetIn(filesz, 'dynamic section size'), size - start, MAX_DYNAMIC_BYTES) };
    }
  }
  if (!dynamic) return { ...info, soname: null, needed: [] };

  const dyn = await readAt(dynamic.offset, dynamic.size);
  const entrySize = is64 ? 16 : 8;
  const needed: bigint[] = [];
  let soname: bigint | undefined;
  let strtab: bigint | undefined;
  let strsz: bigint | undefined;
  for (let o = 0; o + entrySize <= dyn.length; o += entrySize) {
    const tag = word(dyn, o);
    const value = word(dyn, o + entrySize / 2);
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED) needed.push(value);
    else if (tag === DT_SONAME) soname = value;
    else if (tag === DT_STRTAB) strtab = value;
    else if (tag === DT_STRSZ) strsz = value;
  }
  if (needed.length === 0 && soname === undefined) return { ...info, soname: null, needed: [] };
  if (strtab === undefined) return malformed('DT_NEEDED or DT_SONAME without DT_STRTAB');

  // DT_STRTAB is a virtual address: the loadable segment holding it maps it to a file offset.
  const address = strtab;
  const segment = loads.find((l) => address >= l.vaddr && address < l.vaddr + l.filesz);
  if (!segment) return malformed(`string table address 0x${address.toString(16)} is in no loadable segment`);
  const strtabOffset = offsetIn(address - segment.vaddr + segment.offset, 'string table offset');
  const strtabEnd = strsz === undefined ? size : Math.min(size, strtabOffset + offsetIn(strsz, 'string table size'));

  const readName = async (offset: bigint): Promise<string> => {
    if (offset >= BigInt(strtabEnd - strtabOffset)) malformed(`string offset ${offset} outside the string table`);
    const start = strtabOffset + Number(offset);
    const chunk = await readAt(start, Math.min(MAX_NAME_BYTES, strtabEnd - start));
    const end = chunk.indexOf(0);
    if (end < 0) malformed(`unterminated name at string offset ${offset}`);
    return chunk.subarray(0, end).toString('utf8');
  };
  return {
    ...info,
    soname: soname === undefined ? null : await readName(soname),
    needed: await Promise.all(needed.map(readName)),
  };
}
