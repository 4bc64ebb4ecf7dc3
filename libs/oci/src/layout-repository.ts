import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { NbprError, writeFileAtomic, writeJsonAtomic } from '@nbpr/model';
import { downloadVerified } from './blob-download';
import { OCI_INDEX, type Descriptor } from './media-types';
import type { ArtefactRepository, ManifestBytes } from './repository';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface Index {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/**
 * A repository kept as an OCI image-layout directory (oci-layout, index.json, blobs/): the
 * embedded registry, and what air-gapped builds carry. skopeo reads and writes the same
 * layout (`oci:<dir>:<tag>`). Writes go through temporary siblings, so a reader never sees
 * a half-written blob or index.
 */
export class LayoutRepository implements ArtefactRepository {
  readonly location: string;

  constructor(readonly dir: string) {
    this.location = dir;
  }

  async resolveTag(tag: string): Promise<Descriptor | null> {
    const index = await this.readIndex();
    return index.manifests.find((m) => m.annotations?.[REF_NAME] === tag) ?? null;
  }

  async getManifest(reference: string): Promise<ManifestBytes> {
    const descriptor = reference.startsWith('sha256:') ? { digest: reference, mediaType: '' } : await this.resolveTag(reference);
    if (!descriptor) throw new NbprError(`no manifest tagged ${reference}`, { where: this.dir });
    const bytes = await this.getBlobBytes({ digest: descriptor.digest, size: -1 });
    const mediaType = descriptor.mediaType || (JSON.parse(bytes.toString('utf8')).mediaType as string);
    return { bytes, digest: descriptor.digest, mediaType };
  }

  async fetchBlob(descriptor: Pick<Descriptor, 'digest' | 'size'>, file: string): Promise<void> {
    const path = this.blobPath(descriptor.digest);
    try {
      await downloadVerified(createReadStream(path), descriptor, file, 60_000, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NbprError(`blob ${descriptor.digest} is missing`, { where: this.dir });
      throw new NbprError(`blob ${descriptor.digest} is corrupt: ${(error as Error).message}`, { where: path, hint: 'Regenerate the image layout.' });
    }
  }

  async getBlobBytes(descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    const path = this.blobPath(descriptor.digest);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      throw new NbprError(`blob ${descriptor.digest} is missing`, { where: this.dir });
    }
    if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== descriptor.digest) throw new NbprError(`blob ${descriptor.digest} is corrupt`, { where: path, hint: 'Regenerate the image layout.' });
    return bytes;
  }

  async hasBlob(digest: string): Promise<boolean> {
    try {
      await stat(this.blobPath(digest));
      return true;
    } catch {
      return false;
    }
  }

  async pushBlob(blob: { file: string } | { bytes: Buffer }, digest: string, size: number): Promise<void> {
    if (await this.hasBlob(digest)) return;
    await this.ensureLayout();
    const path = this.blobPath(digest);
    if ('bytes' in blob) {
      if (`sha256:${createHash('sha256').update(blob.bytes).digest('hex')}` !== digest) throw new Error(`internal: blob bytes do not match ${digest}`);
      await writeFileAtomic(path, blob.bytes);
    } else {
      // Verified on the way in, like a download: the layout holds only what its names say.
      await downloadVerified(createReadStream(blob.file), { digest, size }, path, 60_000, blob.file);
    }
  }

  async pushManifest(tag: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await this.pushBlob({ bytes }, digest, bytes.length);
    const index = await this.readIndex();
    const kept = index.manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
    const descriptor: Descriptor = { mediaType, digest, size: bytes.length, annotations: { [REF_NAME]: tag } };
    const manifests = [...kept, descriptor].sort((a, b) => (a.annotations?.[REF_NAME] ?? '').localeCompare(b.annotations?.[REF_NAME] ?? ''));
    await writeJsonAtomic(join(this.dir, 'index.json'), { schemaVersion: 2, mediaType: OCI_INDEX, manifests });
    return digest;
  }

  async listTags(): Promise<string[]> {
    return (await this.readIndex()).manifests.map((m) => m.annotations?.[REF_NAME]).filter((t): t is string => Boolean(t));
  }

  private blobPath(digest: string): string {
    const [algorithm, hex] = digest.split(':');
    if (algorithm !== 'sha256' || !/^[0-9a-f]{64}$/.test(hex ?? '')) throw new NbprError(`not a sha256 digest: ${digest}`, { where: this.dir });
    return join(this.dir, 'blobs', algorithm, hex);
  }

  private async readIndex(): Promise<Index> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as Index;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 2, manifests: [] };
      throw new NbprError(`unreadable index.json: ${(error as Error).message}`, { where: this.dir });
    }
  }

  private async ensureLayout(): Promise<void> {
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    try {
      await stat(join(this.dir, 'oci-layout'));
    } catch {
      await writeFileAtomic(join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    }
  }
}
