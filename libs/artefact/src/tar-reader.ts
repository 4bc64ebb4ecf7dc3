const BLOCK = 512;
/** pax bodies the packer writes hold a path, a link target and an mtime: far below this. */
const MAX_PAX_BYTES = 1 << 20;

export interface TarReadEntry {
  /** As stored, with a directory's trailing '/' removed. */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'link';
  /** Permission bits, & 0o7777. */
  mode: number;
  size: number;
  /** Target of a symlink or hard link. */
  linkpath?: string;
}

export type TarEvent = { kind: 'entry'; entry: TarReadEntry } | { kind: 'data'; data: Buffer } | { kind: 'entry-end' };

/** The archive is not one this reader accepts; the message says why. */
export class TarFormatError extends Error {}

/** Zero padding after the end-of-archive blocks: GNU tar's largest usual record is far below it. */
const MAX_TRAILING_BYTES = 1 << 20;

/** Type flags refused, by name, so that the refusal says what was there. */
const REFUSED_TYPES: Record<string, string> = {
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
  '7': 'contiguous file',
  g: 'pax global header',
  L: 'GNU long name',
  K: 'GNU long link name',
  S: 'GNU sparse file',
  D: 'GNU dump directory',
  M: 'GNU multi-volume continuation',
  V: 'volume header',
  N: 'old GNU long name',
  X: 'old extended header',
  A: 'Solaris ACL',
  I: 'inode metadata',
};

const PAX_KEYS_USED = new Set(['path', 'linkpath', 'size']);
/** Records that say nothing an extraction uses (NBPR fixes times and owners): skipped. */
const PAX_KEYS_IGNORED = new Set(['mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A strict streaming reader of the tar subset NBPR's packer writes: POSIX ustar headers with
 * valid checksums, regular files, directories, symlinks and hard links, and pax extended
 * headers carrying path, linkpath or size. Everything else (devices, FIFOs, GNU long names,
 * sparse files, global pax headers, unknown pax keys, data after the end) is refused rather
 * than interpreted: any construct two tar implementations read differently is a place where
 * what was verified and what gets extracted can part ways.
 *
 * Feed it the uncompressed stream with `push`, which yields events in order; call `end` at
 * the end of the stream.
 */
export class TarReader {
  private state: 'header' | 'pax' | 'data' | 'padding' | 'zero' | 'done' = 'header';
  private trailing = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current data, pax body or padding still to come. */
  private remaining = 0;
  /** Size of the current pax body or file data: its padding follows it. */
  private bodySize = 0;
  private pax: Record<string, string> | undefined;
  private paxBody: Buffer[] = [];
  private offset = 0;

  *push(chunk: Buffer): Generator<TarEvent> {
    let at = 0;
    while (at < chunk.length) {
      switch (this.state) {
        case 'header':
        case 'zero': {
          const block = this.take(chunk, at);
          at += block.consumed;
          if (!block.full) break;
          const start = this.offset;
          this.offset += BLOCK;
          if (isZero(block.full)) {
            this.state = this.state === 'zero' ? 'done' : 'zero';
            break;
          }
          if (this.state === 'zero') throw new TarFormatError(`a lone zero block before the header at byte ${start}`);
          yield* this.header(block.full, start);
          break;
        }
        case 'pax': {
          const n = Math.min(this.remaining, chunk.length - at);
          this.paxBody.push(chunk.subarray(at, at + n));
          at += n;
          this.offset += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.pax = parsePax(Buffer.concat(this.paxBody));
            this.paxBody = [];
            this.skipPadding();
          }
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, chunk.length - at);
          yield { kind: 'data', data: chunk.subarray(at, at + n) };
          at += n;
          this.offset += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            yield { kind: 'entry-end' };
            this.skipPadding();
          }
          break;
        }
        case 'padding': {
          const n = Math.min(this.remaining, chunk.length - at);
          at += n;
          this.offset += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'header';
          break;
        }
        case 'done': {
          // GNU tar pads archives to whole records with zeros; anything else is smuggled data,
          // and so is more zero padding than any record size needs.
          const rest = chunk.subarray(at);
          if (!isZero(rest)) throw new TarFormatError(`data after the end of the archive (byte ${this.offset + rest.findIndex((b) => b !== 0)})`);
          this.trailing += rest.length;
          if (this.trailing > MAX_TRAILING_BYTES) throw new TarFormatError(`more than ${MAX_TRAILING_BYTES} bytes of padding after the end of the archive`);
          this.offset += rest.length;
          at = chunk.length;
          break;
        }
      }
    }
  }

  /** The stream has ended: it must have ended with the archive. */
  end(): void {
    if (this.state !== 'done') throw new TarFormatError(`truncated archive: the stream ended at byte ${this.offset}, inside the archive`);
    if (this.pax) throw new TarFormatError('a pax header with no entry after it');
  }

  private *header(block: Buffer, start: number): Generator<TarEvent> {
    if (!checksumValid(block)) throw new TarFormatError(`bad header checksum at byte ${start}`);
    if (block.toString('latin1', 257, 265) !== 'ustar\u000000') throw new TarFormatError(`not a POSIX ustar header at byte ${start}`);
    const flag = String.fromCharCode(block[156]);
    const size = number(block, 124, 12, start, 'size');
    const pax = this.pax;
    this.pax = undefined;
    if (flag === 'x') {
      if (pax) throw new TarFormatError(`two pax headers in a row at byte ${start}`);
      if (size > MAX_PAX_BYTES) throw new TarFormatError(`pax header of ${size} bytes at byte ${start}`);
      this.remaining = this.bodySize = size;
      if (size === 0) {
        this.pax = {};
        this.skipPadding();
      } else {
        this.state = 'pax';
      }
      return;
    }
    const type = flag === '0' || flag === '\0' ? 'file' : flag === '5' ? 'directory' : flag === '2' ? 'symlink' : flag === '1' ? 'link' : undefined;
    if (!type) throw new TarFormatError(`${REFUSED_TYPES[flag] ?? `unknown entry type ${JSON.stringify(flag)}`} entries are not supported (at byte ${start})`);
    const name = text(block, 0, 100, start);
    const prefix = text(block, 345, 155, start);
    let path = pax?.path ?? (prefix ? `${prefix}/${name}` : name);
    const linkpath = pax?.linkpath ?? text(block, 157, 100, start);
    const fullSize = pax?.size !== undefined ? paxNumber(pax.size, start) : size;
    if (type === 'directory') path = path.replace(/\/$/, '');
    if (type !== 'file' && fullSize !== 0) throw new TarFormatError(`${type} entry ${JSON.stringify(path)} with a size of ${fullSize} bytes`);
    if ((type === 'symlink' || type === 'link') !== (linkpath !== '')) throw new TarFormatError(`${type} entry ${JSON.stringify(path)} ${linkpath ? 'with' : 'without'} a link target`);
    const entry: TarReadEntry = { path, type, mode: number(block, 100, 8, start, 'mode') & 0o7777, size: fullSize };
    if (linkpath) entry.linkpath = linkpath;
    yield { kind: 'entry', entry };
    if (fullSize > 0) {
      this.state = 'data';
      this.remaining = this.bodySize = fullSize;
    } else {
      yield { kind: 'entry-end' };
      this.state = 'header';
    }
  }

  private skipPadding(): void {
    const rest = this.bodySize % BLOCK;
    this.remaining = rest === 0 ? 0 : BLOCK - rest;
    this.state = this.remaining === 0 ? 'header' : 'padding';
  }

  /** Gathers a header block across chunks: `full` once all 512 bytes are there. */
  private take(chunk: Buffer, at: number): { consumed: number; full?: Buffer } {
    if (this.pendingBytes === 0 && chunk.length - at >= BLOCK) return { consumed: BLOCK, full: chunk.subarray(at, at + BLOCK) };
    const n = Math.min(BLOCK - this.pendingBytes, chunk.length - at);
    this.pending.push(chunk.subarray(at, at + n));
    this.pendingBytes += n;
    if (this.pendingBytes < BLOCK) return { consumed: n };
    const full = Buffer.concat(this.pending, BLOCK);
    this.pending = [];
    this.pendingBytes = 0;
    return { consumed: n, full };
  }
}

function isZero(buffer: Buffer): boolean {
  for (let i = 0; i < buffer.length; i++) if (buffer[i] !== 0) return false;
  return true;
}

function checksumValid(block: Buffer): boolean {
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += block[i];
  for (let i = 156; i < BLOCK; i++) sum += block[i];
  const digits = block.toString('latin1', 148, 156).replace(/\0.*$/s, '').trim();
  return /^[0-7]+$/.test(digits) && parseInt(digits, 8) === sum;
}

function text(block: Buffer, offset: number, length: number, start: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  try {
    return utf8.decode(end < 0 ? field : field.subarray(0, end));
  } catch {
    throw new TarFormatError(`a header field that is not UTF-8 at byte ${start + offset}`);
  }
}

/** An octal numeric field, or a positive base-256 one (sizes past 8 GiB). */
function number(block: Buffer, offset: number, length: number, start: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  if (field[0] === 0x80) {
    let value = 0n;
    for (let i = 1; i < length; i++) value = (value << 8n) | BigInt(field[i]);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TarFormatError(`${what} too large at byte ${start}`);
    return Number(value);
  }
  const digits = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]*$/.test(digits)) throw new TarFormatError(`${what} field ${JSON.stringify(digits)} is not octal at byte ${start}`);
  return digits === '' ? 0 : parseInt(digits, 8);
}

function paxNumber(value: string, start: number): number {
  if (!/^[0-9]+$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`pax size ${JSON.stringify(value)} at byte ${start}`);
  return Number(value);
}

/** "<length> <key>=<value>\n" records, the length counting the whole record. */
function parsePax(body: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(body.toString('latin1', at, space));
    if (!Number.isInteger(length) || length <= 0 || at + length > body.length || body[at + length - 1] !== 0x0a) throw new TarFormatError('malformed pax record');
    let record: string;
    try {
      record = utf8.decode(body.subarray(space + 1, at + length - 1));
    } catch {
      throw new TarFormatError('a pax record that is not UTF-8');
    }
    const equals = record.indexOf('=');
    if (equals <= 0) throw new TarFormatError('malformed pax record');
    const key = record.slice(0, equals);
    if (PAX_KEYS_USED.has(key)) records[key] = record.slice(equals + 1);
    else if (!PAX_KEYS_IGNORED.has(key)) throw new TarFormatError(`unsupported pax record '${key}'`);
    at += length;
  }
  return records;
}
