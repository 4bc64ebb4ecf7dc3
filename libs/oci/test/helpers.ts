import { randomBytes } from 'node:crypto';
import { OCI_EMPTY_JSON, OCI_LAYER_GZIP, OCI_MANIFEST, sha256Digest, ArtefactRepository, RegistryOptions } from '../src';

export const sha = sha256Digest;

/** Retry quickly: tests wait for real registries, not for backoff. */
export const fast: RegistryOptions = { http: { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 } } };

/** An NBPR-shaped artefact: OCI 1.1 manifest with artifactType, an empty config and one layer. */
export function artefact(layer: Buffer = randomBytes(5000)) {
  const config = Buffer.from('{}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.nbpr.artefact.v1',
      config: { mediaType: OCI_EMPTY_JSON, digest: sha(config), size: config.length },
      layers: [{ mediaType: OCI_LAYER_GZIP, digest: sha(layer), size: layer.length }],
    }),
  );
  return { config, layer, manifest };
}

/** Pushes an artefact as a publisher does: blobs first, then the manifest under its tag. */
export async function pushArtefact(repo: ArtefactRepository, tag: string, layer?: Buffer) {
  const a = artefact(layer);
  await repo.pushBlob({ bytes: a.config }, sha(a.config), a.config.length);
  await repo.pushBlob({ bytes: a.layer }, sha(a.layer), a.layer.length);
  return { ...a, digest: await repo.pushManifest(tag, a.manifest, OCI_MANIFEST) };
}

/** Everything an error can show: formatted, message, stack, and its causes'. */
export function everythingShown(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as (Error & { format?: () => string; cause?: unknown }) | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    parts.push(typeof e.format === 'function' ? e.format() : '', e.message ?? '', e.stack ?? '', String(e));
  }
  return parts.join('\n');
}

/** The secret itself and its base64 forms (a Basic header would carry those). */
export function secretForms(username: string, password: string): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const b64 = Buffer.from(`${username}:${password}`).toString('base64').replace(/=+$/, '');
  return new RegExp([password, b64, Buffer.from(password).toString('base64').replace(/=+$/, '')].map(escape).join('|'));
}
