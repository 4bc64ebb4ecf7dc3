/**
 * NBPR's hostile-input corpus, generated (never stored): artefact tarballs, OCI manifests and
 * artefact metadata as an attacker who controls a registry or a catalogue would write them.
 * Each case names what it attacks; every one must be refused with an NbprError.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { craftArtefact, END, metadataFor, tarBytes, type CraftEntry } from '../../libs/artefact/test/support';

export type HostileCase =
  | { kind: 'tar'; name: string; build: (dir: string) => string }
  | { kind: 'manifest'; name: string; bytes: Buffer };

const file = (path: string, content: string | Buffer = 'x', mode?: number): CraftEntry => ({ path, type: 'File', content, mode });
const ok = file('target/usr/bin/tool', '#!/bin/sh\n', 0o755);
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const manifest = (m: Record<string, unknown>) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m }));
const nbprManifest = (over: Record<string, unknown> = {}) =>
  manifest({ artifactType: 'application/vnd.nbpr.artefact.v1', config: { mediaType: 'application/vnd.nbpr.artefact.config.v1+json', digest: digest('a'), size: 10 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('b'), size: 10 }], ...over });

function rawTar(dir: string, name: string, parts: Buffer[]): string {
  const out = join(dir, `${name}.tar.gz`);
  writeFileSync(out, gzipSync(Buffer.concat(parts)));
  return out;
}

export function hostileCorpus(): HostileCase[] {
  const tar = (name: string, entries: CraftEntry[], options?: Parameters<typeof craftArtefact>[3]): HostileCase => ({ kind: 'tar', name, build: (dir) => craftArtefact(dir, name, entries, options) });
  const cases: HostileCase[] = [
    // Paths and links that escape or smuggle.
    tar('absolute path', [file('/etc/passwd')]),
    tar('dot-dot path', [file('target/../../escape')]),
    tar('symlink escaping the tree', [{ path: 'target/evil', type: 'SymbolicLink', linkpath: '../../../../etc' }]),
    tar('absolute symlink', [{ path: 'target/evil', type: 'SymbolicLink', linkpath: '/etc/shadow' }]),
    tar('write through a symlink', [{ path: 'target/dir', type: 'SymbolicLink', linkpath: '.' }, file('target/dir/x')]),
    tar('hard link outside', [{ path: 'target/h', type: 'Link', linkpath: '../../etc/passwd' }]),
    tar('character device', [{ path: 'target/dev', type: 'CharacterDevice' }]),
    tar('block device', [{ path: 'target/blk', type: 'BlockDevice' }]),
    tar('fifo', [{ path: 'target/fifo', type: 'FIFO' }]),
    tar('pax path override to an absolute path', [{ ...file('target/fine'), pax: { path: '/tmp/owned' } }]),
    tar('global pax header', [{ path: 'pax_global_header', type: 'GlobalExtendedHeader', content: '' }, ok]),
    tar('an entry twice', [ok, ok]),
    tar('a file as a parent directory', [file('target/a'), file('target/a/b')]),
    tar('setuid file', [file('target/usr/bin/root', '#!/bin/sh\n', 0o4755)]),
    // Metadata that lies about the content.
    tar('metadata lists another size', [ok], { metadata: (m) => void (m.files[0] as { size: number }).size++ }),
    tar('metadata lists another sha256', [ok], { metadata: (m) => void ((m.files[0] as { sha256: string }).sha256 = '0'.repeat(64)) }),
    tar('metadata lists another mode', [ok], { metadata: (m) => void (m.files[0].mode = 0o644) }),
    tar('metadata lists a missing file', [ok], { metadata: (m) => void m.files.push({ path: 'target/ghost', type: 'file', mode: 0o644, size: 1, sha256: '0'.repeat(64) }) }),
    tar('metadata omits a file', [ok, file('target/extra')], { metadata: (m) => void m.files.pop() }),
    tar('no metadata', [ok], { withMetadata: false }),
    tar('metadata of another schema version', [ok], { metadata: (m) => void ((m as { schemaVersion: number }).schemaVersion = 2) }),
    // Archive structure.
    tar('data after the end of the archive', [ok], { raw: (t) => Buffer.concat([t, Buffer.from('smuggled')]) }),
    tar('truncated archive', [ok], { raw: (t) => t.subarray(0, t.length - 1536) }),
    tar('a broken header checksum', [ok], { raw: (t) => Buffer.concat([t.subarray(0, 148), Buffer.from('00000000'), t.subarray(156)]) }),
    { kind: 'tar', name: 'not gzip at all', build: (dir) => (writeFileSync(join(dir, 'plain.tar.gz'), Buffer.concat([tarBytes(ok), END])), join(dir, 'plain.tar.gz')) },
    { kind: 'tar', name: 'an unlisted entry after the metadata', build: (dir) => rawTar(dir, 'unlisted', [tarBytes({ path: 'nbpr-artefact.json', type: 'File', content: JSON.stringify(metadataFor([ok])) }), tarBytes(ok), tarBytes(file('target/extra', Buffer.alloc(4096))), END]) },
    { kind: 'tar', name: 'megabytes of padding after the archive', build: (dir) => rawTar(dir, 'padding', [tarBytes(ok), tarBytes({ path: 'nbpr-artefact.json', type: 'File', content: JSON.stringify(metadataFor([ok])) }), END, Buffer.alloc(3 << 20)]) },
    // Manifests.
    { kind: 'manifest', name: 'not JSON', bytes: Buffer.from('{oops') },
    { kind: 'manifest', name: 'another artifactType', bytes: nbprManifest({ artifactType: 'application/vnd.example' }) },
    { kind: 'manifest', name: 'two layers', bytes: nbprManifest({ layers: [{ digest: digest('b'), size: 1 }, { digest: digest('c'), size: 1 }] }) },
    { kind: 'manifest', name: 'no layers', bytes: nbprManifest({ layers: [] }) },
    { kind: 'manifest', name: 'negative layer size', bytes: nbprManifest({ layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('b'), size: -1 }] }) },
    { kind: 'manifest', name: 'fractional layer size', bytes: nbprManifest({ layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('b'), size: 1.5 }] }) },
    { kind: 'manifest', name: 'a layer digest that is a path', bytes: nbprManifest({ layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:../../../etc/passwd', size: 1 }] }) },
    { kind: 'manifest', name: 'a config of another type', bytes: nbprManifest({ config: { mediaType: 'application/json', digest: digest('a'), size: 1 } }) },
    { kind: 'manifest', name: 'an absurd layer size', bytes: nbprManifest({ layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('b'), size: 2 ** 52 }] }) },
  ];
  return cases;
}
