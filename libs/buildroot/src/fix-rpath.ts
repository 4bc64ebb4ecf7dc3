import { realpathSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NbprError } from '@nbpr/model';

/**
 * What Buildroot's target-finalize does to RPATHs (support/scripts/fix-rpath target, which
 * runs Buildroot's patched patchelf 0.13 with `--make-rpath-relative <TARGET_DIR>
 * --no-standard-lib-dirs`), byte for byte: `make <pkg>` alone never runs it, and without it
 * a binary keeps RUNPATHs into the build directory.
 */
export interface RpathContext {
  /** The target tree the RPATHs are judged against: TARGET_DIR with the package's dependencies. */
  rootDir: string;
  /** PER_PACKAGE_DIR and the global HOST_DIR: fix-rpath first rewrites per-package host paths. */
  perPackageDir: string;
  hostDir: string;
}

const DT_NULL = 0n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;
const SHT_STRTAB = 3;

/** Applies fix-rpath's target mode to one file; returns whether it changed. Non-ELF files and ELF files without .dynamic are left alone, as fix-rpath leaves them. */
export async function fixRpath(file: string, pathInTarget: string, context: RpathContext): Promise<boolean> {
  const bytes = await readFile(file);
  const elf = dynamicOf(bytes);
  if (!elf || !elf.rpath) return false;
  let changed = false;
  // fix-rpath: `sed "s@${PER_PACKAGE_DIR}/[^/]\+/host@${HOST_DIR}@g"`, then `patchelf --set-rpath` when that changed it.
  const perPackageHost = new RegExp(`${escapeRegExp(context.perPackageDir)}/[^/]+/host`, 'g');
  const moved = elf.rpath.value.replace(perPackageHost, context.hostDir);
  if (moved !== elf.rpath.value) {
    setRpath(bytes, elf, moved);
    changed = true;
  }
  const relative = makeRpathRelative(elf.rpath.value, join(context.rootDir, dirname(pathInTarget)), context.rootDir);
  if (elf.rpath.tag === DT_RPATH && !elf.hasRunpath) {
    // patchelf converts DT_RPATH to DT_RUNPATH whenever it rewrites an RPATH.
    elf.writeTag(elf.rpath.entry, DT_RUNPATH);
    changed = true;
  }
  if (relative !== elf.rpath.value) {
    setRpath(bytes, elf, relative);
    changed = true;
  }
  if (changed) await writeFile(file, bytes);
  return changed;
}

/** patchelf's rpMakeRelative with --no-standard-lib-dirs, without --relative-to-file (target mode). */
export function makeRpathRelative(rpath: string, fileDir: string, rootDir: string): string {
  const kept: string[] = [];
  for (const dir of rpath.split(':').filter(Boolean)) {
    let canonical: string | undefined;
    if (dir.startsWith('$ORIGIN')) canonical = realpath(fileDir + dir.slice(7));
    else if (dir.startsWith(rootDir)) canonical = realpath(dir);
    else canonical = realpath(rootDir + dir);
    if (canonical === undefined) continue;
    if (canonical === `${rootDir}/lib` || canonical === `${rootDir}/usr/lib`) continue;
    kept.push(canonical.slice(rootDir.length));
  }
  return kept.join(':');
}

interface DynamicSection {
  rpath: { entry: number; tag: bigint; value: string; offset: number } | null;
  hasRunpath: boolean;
  writeTag: (entry: number, tag: bigint) => void;
}

/** The RPATH (DT_RUNPATH, else DT_RPATH) of an ELF file, found through its .dynamic and .dynstr sections as patchelf finds it. */
function dynamicOf(bytes: Buffer): DynamicSection | null {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) return null;
  const is64 = bytes[4] === 2;
  const le = bytes[5] === 1;
  const u16 = (o: number) => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number) => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  const word = (o: number) => (is64 ? (le ? bytes.readBigUInt64LE(o) : bytes.readBigUInt64BE(o)) : BigInt(u32(o)));
  const shoff = Number(word(is64 ? 40 : 32));
  const shentsize = u16(is64 ? 58 : 46);
  const shnum = u16(is64 ? 60 : 48);
  const shstrndx = u16(is64 ? 62 : 50);
  if (shoff === 0 || shnum === 0 || shoff + shentsize * shnum > bytes.length) return null;
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return { name: u32(at), type: u32(at + 4), offset: Number(word(at + (is64 ? 24 : 16))), size: Number(word(at + (is64 ? 32 : 20))) };
  };
  const names = section(shstrndx);
  const nameOf = (s: { name: number }) => cString(bytes, names.offset + s.name);
  const sections = Array.from({ length: shnum }, (_, i) => section(i));
  const dynamic = sections.find((s) => nameOf(s) === '.dynamic');
  const dynstr = sections.find((s) => nameOf(s) === '.dynstr' && s.type === SHT_STRTAB);
  if (!dynamic || !dynstr) return null;
  const entrySize = is64 ? 16 : 8;
  const tagAt = (entry: number) => word(dynamic.offset + entry * entrySize);
  const valueAt = (entry: number) => Number(word(dynamic.offset + entry * entrySize + (is64 ? 8 : 4)));
  let rpath: DynamicSection['rpath'] = null;
  let hasRunpath = false;
  for (let entry = 0; (entry + 1) * entrySize <= dynamic.size; entry++) {
    const tag = tagAt(entry);
    if (tag === DT_NULL) break;
    if (tag === DT_RUNPATH) {
      hasRunpath = true;
      const offset = dynstr.offset + valueAt(entry);
      rpath = { entry, tag, value: cString(bytes, offset), offset };
    } else if (tag === DT_RPATH && !hasRunpath) {
      const offset = dynstr.offset + valueAt(entry);
      rpath = { entry, tag, value: cString(bytes, offset), offset };
    }
  }
  const writeTag = (entry: number, tag: bigint) => {
    const at = dynamic.offset + entry * entrySize;
    if (is64) le ? bytes.writeBigUInt64LE(tag, at) : bytes.writeBigUInt64BE(tag, at);
    else le ? bytes.writeUInt32LE(Number(tag), at) : bytes.writeUInt32BE(Number(tag), at);
  };
  return { rpath, hasRunpath, writeTag };
}

/** patchelf's in-place rewrite: the old string overwritten with 'X', the new one copied over it. */
function setRpath(bytes: Buffer, elf: DynamicSection, value: string): void {
  const old = elf.rpath!;
  const oldLength = Buffer.byteLength(old.value);
  const next = Buffer.from(value);
  if (next.length > oldLength) {
    throw new NbprError(`cannot rewrite an RPATH to a longer one in place (${JSON.stringify(old.value)} -> ${JSON.stringify(value)})`, {
      code: 'buildroot/rpath-too-long',
      hint: 'fix-rpath only shortens target RPATHs; this binary needs a patchelf that grows .dynstr: report it as an NBPR bug.',
    });
  }
  bytes.fill('X', old.offset, old.offset + oldLength);
  next.copy(bytes, old.offset);
  bytes[old.offset + next.length] = 0;
  old.value = value;
}

function cString(bytes: Buffer, offset: number): string {
  const end = bytes.indexOf(0, offset);
  return bytes.toString('utf8', offset, end < 0 ? bytes.length : end);
}

function realpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
