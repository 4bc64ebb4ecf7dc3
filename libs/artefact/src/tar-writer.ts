import { Header, Pax } from 'tar';

const BLOCK = 512;
/** The largest size an 11-digit octal ustar field holds (8 GiB - 1). */
const MAX_OCTAL_SIZE = 0o77777777777;

export interface TarEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink';
  mode: number;
  size: number;
  linkpath?: string;
}

/**
 * The header block(s) of one entry, with every field that could vary between machines
 * fixed: owner 0:0 without names, one mtime, no atime/ctime, no device numbers. Paths that
 * do not fit ustar's name/prefix split, non-ASCII names and sizes past 8 GiB get a pax header
 * (path, linkpath, mtime, size only), itself as fixed.
 */
export function tarHeader(entry: TarEntry, mtime: Date): Buffer {
  const fast = plainHeader(entry, mtime);
  if (fast) return fast;
  const fields = {
    path: entry.type === 'Directory' ? `${entry.path}/` : entry.path,
    mode: entry.mode,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: entry.type === 'File' ? entry.size : 0,
    mtime,
    type: entry.type,
    linkpath: entry.linkpath ?? '',
  };
  const header = new Header(fields);
  const block = Buffer.alloc(BLOCK);
  header.encode(block, 0);
  if (!header.needPax) return block;
  // Only what the ustar header could not hold varies; the pax header is as fixed as the rest.
  const size = fields.size > MAX_OCTAL_SIZE ? fields.size : undefined;
  const pax = new Pax({ path: fields.path, linkpath: fields.linkpath || undefined, mtime, size }).encode();
  return Buffer.concat([pax, block]);
}

const TYPE_FLAGS = { File: '0', Directory: '5', SymbolicLink: '2' } as const;
const ASCII_SHORT = /^[\x01-\x7f]{0,99}$/;

/**
 * The header of the common entry, encoded directly: a short ASCII path and link target, a size
 * and mtime octal fields hold. Byte for byte what tar's Header writes for it (a test compares
 * them), at a fraction of the cost, which matters on trees of many small files. Anything else
 * goes through tar's Header.
 */
function plainHeader(entry: TarEntry, mtime: Date): Buffer | undefined {
  const path = entry.type === 'Directory' ? `${entry.path}/` : entry.path;
  const linkpath = entry.linkpath ?? '';
  const size = entry.type === 'File' ? entry.size : 0;
  const seconds = Math.floor(mtime.getTime() / 1000);
  if (!ASCII_SHORT.test(path) || !ASCII_SHORT.test(linkpath) || size > MAX_OCTAL_SIZE || seconds < 0 || seconds > MAX_OCTAL_SIZE || entry.mode > 0o7777777) return undefined;
  const block = Buffer.alloc(BLOCK);
  block.write(path, 0, 'latin1');
  block.write(octal(entry.mode, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(seconds, 12), 136, 'latin1');
  block.write(TYPE_FLAGS[entry.type], 156, 'latin1');
  block.write(linkpath, 157, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  block.write(octal(0, 8), 329, 'latin1');
  block.write(octal(0, 8), 337, 'latin1');
  // The checksum counts its own field as eight spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i];
  block.write(octal(sum, 8), 148, 'latin1');
  return block;
}

/** tar's numeric field: zero-padded octal, a space and a NUL, or all digits and a NUL when it just fits. */
function octal(value: number, field: number): string {
  const digits = value.toString(8);
  return (digits.length === field - 1 ? digits : '0'.repeat(field - digits.length - 2) + digits + ' ') + '\0';
}

const ZEROS = Buffer.alloc(BLOCK);

/** The zeros after `size` bytes of data up to the block boundary (a shared buffer: copy, never write). */
export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return ZEROS.subarray(0, rest === 0 ? 0 : BLOCK - rest);
}

/** Two zero blocks end a tar archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);
