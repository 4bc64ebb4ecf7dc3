/**
 * Erlang's external term format (what :erlang.term_to_binary writes), for the data the staged
 * runtime reads: catalogue text travels as binaries inside a binary file, never as source, so
 * no string can mean anything but itself. Atoms are only NBPR's own map keys.
 */
export type Term = null | boolean | number | string | Term[] | Tuple | BinaryKeyed | { [key: string]: Term };

/** An Erlang tuple. */
export class Tuple {
  constructor(readonly items: Term[]) {}
}

/** A map whose keys are binaries (catalogue names), not atoms. */
export class BinaryKeyed {
  constructor(readonly entries: Record<string, Term>) {}
}

const VERSION = 131;
const SMALL_INTEGER = 97;
const INTEGER = 98;
const SMALL_TUPLE = 104;
const NIL = 106;
const LIST = 108;
const BINARY = 109;
const MAP = 116;
const SMALL_ATOM_UTF8 = 119;
const ATOM_NAME = /^[a-z][a-z0-9_]*$/;

export function termToBinary(value: Term): Buffer {
  const parts: Buffer[] = [Buffer.from([VERSION])];
  encode(value, parts);
  return Buffer.concat(parts);
}

function encode(value: Term, out: Buffer[]): void {
  if (value === null) return atom('nil', out);
  if (typeof value === 'boolean') return atom(String(value), out);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) throw new Error(`internal: ${value} is not a 32-bit integer`);
    if (value >= 0 && value < 256) return void out.push(Buffer.from([SMALL_INTEGER, value]));
    const b = Buffer.alloc(5);
    b[0] = INTEGER;
    b.writeInt32BE(value, 1);
    return void out.push(b);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    out.push(header(BINARY, bytes.length), bytes);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return void out.push(Buffer.from([NIL]));
    out.push(header(LIST, value.length));
    for (const item of value) encode(item, out);
    out.push(Buffer.from([NIL]));
    return;
  }
  if (value instanceof Tuple) {
    if (value.items.length > 255) throw new Error('internal: tuple too large');
    out.push(Buffer.from([SMALL_TUPLE, value.items.length]));
    for (const item of value.items) encode(item, out);
    return;
  }
  const binaryKeys = value instanceof BinaryKeyed;
  const entries = Object.entries(binaryKeys ? value.entries : value);
  out.push(header(MAP, entries.length));
  for (const [key, item] of entries) {
    if (binaryKeys) encode(key, out);
    else atom(key, out);
    encode(item, out);
  }
}

function atom(name: string, out: Buffer[]): void {
  if (!ATOM_NAME.test(name)) throw new Error(`internal: '${name}' is not one of NBPR's atoms`);
  out.push(Buffer.from([SMALL_ATOM_UTF8, name.length]), Buffer.from(name, 'utf8'));
}

function header(tag: number, length: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = tag;
  b.writeUInt32BE(length, 1);
  return b;
}
