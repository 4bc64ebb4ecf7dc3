import { Header, Pax } from 'tar';

const BLOCK = 512;

export interface TarEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink';
  mode: number;
  size: number;
  linkpath?: string;
}

/**
 * The header block(s) of one entry, with every field that could vary between machines
 * fixed: owner 0:0 without names, one mtime, no atime/ctime. Long paths get a pax header,
 * itself as fixed.
 */
export function tarHeader(entry: TarEntry, mtime: Date): Buffer {
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
  const pax = new Pax({ path: fields.path, linkpath: fields.linkpath || undefined, mtime }).encode();
  return Buffer.concat([pax, block]);
}

export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** Two zero blocks end a tar archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);
