import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';
import { cacheKey, type KeyDocument } from '@nbpr/key';
import { type ArtefactFile, type ArtefactMetadata } from '../src/format';
import { tempDir } from '../../../test/support/temp';

export const keyDocument: KeyDocument = {
  nbpr: 1,
  package: { name: 'nbpr-hello', version: '0.1.0' },
  build: { packages: ['nbpr-hello'], kconfig: { BR2_PACKAGE_NBPR_HELLO: 'y' } },
  options: {},
  system: { app: 'nerves_system_nbpr_example', version: '0.1.0', buildroot: '2026.05.1', config: 'sha256:' + '5'.repeat(64) },
  tree: 'sha256:' + 'a'.repeat(64),
};
export const key = cacheKey(keyDocument);

export const MANIFEST = '"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"\n"nbpr-hello","0.1.0","Apache-2.0","LICENSE","nbpr-hello-0.1.0.tar.gz","",""\n';

/** Files of a small artefact tree: path, content, mode. */
export const HELLO_FILES: Array<[string, string, number]> = [
  ['target/usr/bin/nbpr-hello', '#!/bin/sh\necho hello\n', 0o755],
  ['target/usr/share/nbpr-hello/greeting.txt', 'Hello from NBPR\n', 0o644],
  ['legal-info/manifest.csv', MANIFEST, 0o644],
  ['legal-info/licenses/nbpr-hello-0.1.0/LICENSE', 'Apache-2.0\n', 0o644],
  ['legal-info/legal-info.sha256', 'sha256  0000  manifest.csv\n', 0o644],
];

/** Writes an artefact tree under `dir`: the hello files and a relative symlink. */
export function helloTree(dir: string): string {
  for (const [path, content, mode] of HELLO_FILES) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
    chmodSync(join(dir, path), mode);
  }
  symlinkSync('nbpr-hello', join(dir, 'target/usr/bin/hello'));
  return dir;
}

export interface CraftEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO' | 'NextFileHasLongPath' | 'GlobalExtendedHeader' | 'ExtendedHeader';
  linkpath?: string;
  content?: string | Buffer;
  mode?: number;
  /** pax records to put before this entry. */
  pax?: Record<string, string | number>;
}

/** One entry as raw tar bytes, written as an attacker would: tar's Header, nothing checked. */
export function tarBytes(e: CraftEntry): Buffer {
  const body = Buffer.from(e.content ?? '');
  const blocks: Buffer[] = [];
  if (e.pax) blocks.push(new Pax(e.pax as never).encode());
  const block = Buffer.alloc(512);
  const withBody = e.type === 'File' || e.type === 'NextFileHasLongPath' || e.type === 'GlobalExtendedHeader' || e.type === 'ExtendedHeader';
  new Header({ path: e.path, type: e.type, mode: e.mode ?? (e.type === 'Directory' ? 0o755 : e.type === 'SymbolicLink' ? 0o777 : 0o644), size: withBody ? body.length : 0, linkpath: e.linkpath, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' }).encode(block, 0);
  blocks.push(block);
  if (withBody) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  return Buffer.concat(blocks);
}

export const END = Buffer.alloc(1024);

/**
 * A tarball of `entries` followed, when `withMetadata`, by an nbpr-artefact.json that lists
 * them truthfully: so that a refusal comes from the check under test, not from missing metadata.
 */
export function craftArtefact(dir: string, name: string, entries: CraftEntry[], options: { withMetadata?: boolean; metadata?: (m: ArtefactMetadata) => void; raw?: (tar: Buffer) => Buffer } = {}): string {
  const parts = entries.map(tarBytes);
  if (options.withMetadata ?? true) {
    const metadata = metadataFor(entries);
    options.metadata?.(metadata);
    parts.push(tarBytes({ path: 'nbpr-artefact.json', type: 'File', content: JSON.stringify(metadata, null, 2) + '\n' }));
  }
  parts.push(END);
  let tar: Buffer = Buffer.concat(parts);
  if (options.raw) tar = options.raw(tar);
  const file = join(dir, `${name}.tar.gz`);
  writeFileSync(file, gzipSync(tar));
  return file;
}

export function metadataFor(entries: CraftEntry[]): ArtefactMetadata {
  const contents = new Map<string, Buffer>();
  const files: ArtefactFile[] = [];
  for (const e of entries) {
    const path = e.path.replace(/\/$/, '');
    if (e.type === 'Directory') files.push({ path, type: 'directory', mode: e.mode ?? 0o755 });
    else if (e.type === 'SymbolicLink') files.push({ path, type: 'symlink', mode: e.mode ?? 0o777, target: e.linkpath! });
    else if (e.type === 'File' || e.type === 'Link') {
      const body = e.type === 'Link' ? contents.get(e.linkpath!) ?? Buffer.alloc(0) : Buffer.from(e.content ?? '');
      contents.set(path, body);
      files.push({ path, type: 'file', mode: e.mode ?? 0o644, size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    }
  }
  files.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return { schemaVersion: 1, key, keyDocument, files, sonames: { provided: [], needed: [] }, build: { kconfig: {}, closure: [] } };
}

/** Every path under `dir`, relative, sorted: to prove that a failure left nothing behind. */
export function listAll(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** Unique names and paths under one temporary directory of the test file (removed after its tests). */
export function scratch() {
  const root = tempDir();
  let n = 0;
  const name = (base: string) => `${n++}-${base}`;
  const path = (base: string) => join(root, name(base));
  const dir = (base = 'dir') => {
    const made = path(base);
    mkdirSync(made, { recursive: true });
    return made;
  };
  return { root, name, path, dir };
}
