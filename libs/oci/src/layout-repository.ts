import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NbprError, withLockFile, writeFileAtomic, writeJsonAtomic } from '@nbpr/model';
import { downloadVerified } from './blob-download';
import { checkDescriptor } from './descriptor-check';
import type { BlobSource } from './blob-upload';
import { sha256Digest } from './digest';
import { MANIFEST_LIMIT, OCI_INDEX, type Descriptor } from './media-types';
import { checkTag, isSha256Digest } from './reference';
import { lostRace, type ArtefactRepository, type ManifestBytes, type PushManifestOptions } from './repository';
import { RetryableError } from './retry';

/** The annotation by which an image layout's index.json names its tags (skopeo's `oci:DIR:tag`). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
const LAYOUT_VERSION = '1.0.0';

interface Index {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/**
 * A repository kept as an OCI image-layout directory (oci-layout, index.json, blobs/sha256/):
 * the embedded registry, and what air-gapped builds carry. skopeo reads and writes the same
 * layout (`oci:<dir>:<tag>`). Every read is verified against its digest; every write goes
 * through a temporary sibling and a rename, and index.json updates are serialised, so a
 * reader never sees a half-written blob or index and concurrent writers lose no tag.
 * A directory that does not exist is an empty repository (every tag a miss).
 */
export class LayoutRepository implements ArtefactRepository {
  readonly location: string;

  constructor(readonly dir: string) {
    this.location = dir;
  }

  async resolveTag(tag: string): Promise<Descriptor | null> {
    const index = await this.readIndex();
    // The last entry wins, as in skopeo, should a hand-edited index name a tag twice.
    return [...index.manifests].reverse().find((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag) ?? null;
  }

  async getManifest(reference: string): Promise<ManifestBytes> {
    const descriptor = isSha256Digest(reference) ? { digest: reference, mediaType: '', size: -1 } : await this.resolveTag(reference);
    if (!descriptor) throw new NbprError(`no manifest tagged ${reference}`, { code: 'oci/manifest-not-found', where: this.dir });
    if (descriptor.size > MANIFEST_LIMIT) throw new NbprError(`the manifest tagged ${reference} is larger than ${MANIFEST_LIMIT} bytes`, { code: 'oci/manifest-too-large', where: this.dir });
    const bytes = await this.getBlobBytes(descriptor);
    let inside: string | undefined;
    try {
      inside = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType;
    } catch {
      throw new NbprError(`the manifest ${descriptor.digest} is not JSON`, { code: 'oci/invalid-manifest', where: this.blobPath(descriptor.digest) });
    }
    return { bytes, digest: descriptor.digest, mediaType: descriptor.mediaType || inside || '' };
  }

  async fetchBlob(descriptor: Pick<Descriptor, 'digest' | 'size'>, file: string): Promise<void> {
    const path = this.blobPath(descriptor.digest);
    if (!(await this.hasBlob(descriptor.digest))) throw this.missing(descriptor.digest);
    try {
      await downloadVerified(createReadStream(path), descriptor, file, 60_000, path);
    } catch (error) {
      // Corruption on disk does not heal by retrying.
      if (error instanceof RetryableError) throw this.corrupt(descriptor.digest, error.message);
      throw error;
    }
  }

  async getBlobBytes(descriptor: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    const path = this.blobPath(descriptor.digest);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw this.missing(descriptor.digest);
      throw new NbprError(`cannot read blob ${descriptor.digest}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { code: 'oci/unreadable-blob', where: path });
    }
    const digest = sha256Digest(bytes);
    if (digest !== descriptor.digest) throw this.corrupt(descriptor.digest, `it hashes to ${digest}`);
    if (descriptor.size >= 0 && bytes.length !== descriptor.size) throw this.corrupt(descriptor.digest, `it is ${bytes.length} bytes, not ${descriptor.size}`);
    return bytes;
  }

  async hasBlob(digest: string): Promise<boolean> {
    try {
      return (await stat(this.blobPath(digest))).isFile();
    } catch {
      return false;
    }
  }

  /** Stores a blob, verified on the way in: a layout holds only what its names say. */
  async pushBlob(blob: BlobSource, digest: string, size: number): Promise<void> {
    const path = this.blobPath(digest);
    const present = await stat(path).catch(() => undefined);
    if (present?.isFile() && present.size === size) return;
    await this.ensureLayout();
    if ('bytes' in blob) {
      if (sha256Digest(blob.bytes) !== digest || blob.bytes.length !== size) throw new Error(`internal: blob bytes do not match ${digest} (${size} bytes)`);
      await writeFileAtomic(path, blob.bytes);
      return;
    }
    try {
      await downloadVerified(createReadStream(blob.file), { digest, size }, path, 60_000, blob.file);
    } catch (error) {
      if (error instanceof RetryableError) throw new NbprError(`${blob.file} does not match ${digest}: ${error.message}`, { code: 'oci/blob-changed', where: blob.file, hint: 'The file changed after it was packed; pack it again.' });
      throw error;
    }
  }

  /**
   * Stores the manifest as a blob, then points the tag at it in index.json (replacing any
   * earlier one). With `onlyIfUntagged`, the tag is written only if no manifest holds it yet,
   * checked under the index's lock: a compare-and-swap, which registries do not offer.
   */
  async pushManifest(tag: string, bytes: Buffer, mediaType: string, options: PushManifestOptions = {}): Promise<string> {
    checkTag(tag, `${this.dir}:${tag}`);
    const digest = sha256Digest(bytes);
    await this.pushBlob({ bytes }, digest, bytes.length);
    // Parallel publishes add tags to one index.json: its read-modify-write needs exclusion.
    await withLockFile(join(this.dir, 'index.json.lock'), async () => {
      const index = await this.readIndex();
      const holder = index.manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag);
      if (options.onlyIfUntagged && holder && holder.digest !== digest) {
        throw lostRace(`${this.location}:${tag}`, holder.digest, digest);
      }
      const kept = index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== tag);
      const descriptor: Descriptor = { mediaType, digest, size: bytes.length, annotations: { [REF_NAME_ANNOTATION]: tag } };
      // Sorted by tag, bytewise: the same tags give the same index.json on every machine.
      const manifests = [...kept, descriptor].sort((a, b) => compare(a.annotations?.[REF_NAME_ANNOTATION] ?? '', b.annotations?.[REF_NAME_ANNOTATION] ?? ''));
      await writeJsonAtomic(join(this.dir, 'index.json'), { ...index, schemaVersion: 2, mediaType: OCI_INDEX, manifests });
    });
    return digest;
  }

  async listTags(): Promise<string[]> {
    return (await this.readIndex()).manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).filter((t): t is string => Boolean(t));
  }

  blobPath(digest: string): string {
    if (!isSha256Digest(digest)) throw new NbprError(`"${digest}" is not a sha256 digest`, { code: 'oci/invalid-digest', where: this.dir });
    return join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  private async readIndex(): Promise<Index> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'index.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 2, manifests: [] };
      throw new NbprError(`cannot read index.json: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { code: 'oci/invalid-layout', where: this.dir });
    }
    await this.checkLayoutVersion();
    let index: Index;
    try {
      index = JSON.parse(text) as Index;
    } catch (error) {
      throw new NbprError(`index.json is not JSON: ${(error as Error).message}`, { code: 'oci/invalid-layout', where: join(this.dir, 'index.json'), hint: 'Regenerate the image layout (or restore it from version control).' });
    }
    if (index?.schemaVersion !== 2 || !Array.isArray(index.manifests)) {
      throw new NbprError('index.json is not an OCI image index (schemaVersion 2 with manifests)', { code: 'oci/invalid-layout', where: join(this.dir, 'index.json'), hint: 'Regenerate the image layout.' });
    }
    index.manifests.forEach((m, i) => checkDescriptor(m, `index.json /manifests/${i}`, join(this.dir, 'index.json')));
    return index;
  }

  private async checkLayoutVersion(): Promise<void> {
    const file = join(this.dir, 'oci-layout');
    let version: unknown;
    try {
      version = (JSON.parse(await readFile(file, 'utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      throw new NbprError('not an OCI image layout: oci-layout is missing or unreadable', { code: 'oci/invalid-layout', where: this.dir, hint: 'An image layout holds oci-layout, index.json and blobs/sha256/ (skopeo copy ... oci:DIR:TAG makes one).' });
    }
    if (version !== LAYOUT_VERSION) throw new NbprError(`unsupported image layout version ${JSON.stringify(version)}`, { code: 'oci/unsupported-layout-version', where: file, hint: `NBPR reads image layouts of version ${LAYOUT_VERSION}.` });
  }

  private async ensureLayout(): Promise<void> {
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    if (!(await stat(join(this.dir, 'oci-layout')).catch(() => undefined))) {
      await writeFileAtomic(join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }));
    }
  }

  private missing(digest: string): NbprError {
    return new NbprError(`blob ${digest} is missing`, { code: 'oci/blob-missing', where: this.dir, hint: 'The image layout is incomplete; regenerate it (or copy it again).' });
  }

  private corrupt(digest: string, why: string): NbprError {
    return new NbprError(`blob ${digest} is corrupt: ${why}`, { code: 'oci/corrupt-blob', where: this.blobPath(digest), hint: 'Regenerate the image layout (or copy it again).' });
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
