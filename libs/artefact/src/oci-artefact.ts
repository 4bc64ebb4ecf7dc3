import { cacheKey, canonicalJson, validateKeyDocument, type KeyDocument } from '@nbpr/key';
import { NbprError } from '@nbpr/model';
import { checkDescriptor, encodeImageManifest, OCI_LAYER_GZIP, sha256Digest } from '@nbpr/oci';
import type { ArtefactMetadata } from './format';

export const ARTEFACT_TYPE = 'application/vnd.nbpr.artefact.v1';
export const ARTEFACT_CONFIG_TYPE = 'application/vnd.nbpr.artefact.config.v1+json';
export const KEY_ANNOTATION = 'dev.nbpr.artefact.key';
export const DIFF_ID_ANNOTATION = 'dev.nbpr.artefact.diff-id';

/**
 * The config blob: small, read before any layer, holding what conflict-check and the key
 * check need. Canonical JSON, so the same artefact always has the same config digest.
 */
export interface ArtefactConfig {
  key: string;
  keyDocument: KeyDocument;
  diffId: string;
  build: ArtefactMetadata['build'];
  sonames: ArtefactMetadata['sonames'];
}

export interface ArtefactManifest {
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  configDigest: string;
}

/** An OCI 1.1 manifest for a packed artefact: no timestamps, so it is a function of the content. */
export function artefactManifest(p: { metadata: ArtefactMetadata; diffId: string; digest: string; size: number }): ArtefactManifest {
  const configValue: ArtefactConfig = { key: p.metadata.key, keyDocument: p.metadata.keyDocument, diffId: p.diffId, build: p.metadata.build, sonames: p.metadata.sonames };
  const config = Buffer.from(canonicalJson(configValue));
  const configDigest = sha256Digest(config);
  const { name, version } = p.metadata.keyDocument.package;
  const manifest = encodeImageManifest({
    artifactType: ARTEFACT_TYPE,
    config: { mediaType: ARTEFACT_CONFIG_TYPE, digest: configDigest, size: config.length },
    layers: [{ mediaType: OCI_LAYER_GZIP, digest: p.digest, size: p.size, annotations: { 'org.opencontainers.image.title': `${name}-${version}.tar.gz` } }],
    annotations: { [KEY_ANNOTATION]: p.metadata.key, [DIFF_ID_ANNOTATION]: p.diffId },
  });
  return { manifest: manifest.bytes, manifestDigest: manifest.digest, config, configDigest };
}

export interface ParsedArtefactManifest {
  config: { digest: string; size: number };
  layer: { digest: string; size: number };
  key: string;
  diffId: string;
}

/** Reads an NBPR manifest back, refusing anything that is not one. */
export function parseArtefactManifest(bytes: Buffer, where: string): ParsedArtefactManifest {
  let m: any;
  try {
    m = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new NbprError('the manifest is not JSON', { code: 'oci/invalid-manifest', where });
  }
  const hint = 'The tag holds something NBPR did not publish; NBPR never overwrites it.';
  if (m?.artifactType !== ARTEFACT_TYPE) throw new NbprError(`not an NBPR artefact: artifactType is ${JSON.stringify(m?.artifactType)}, not ${JSON.stringify(ARTEFACT_TYPE)}`, { code: 'artefact/not-nbpr', where, hint });
  if (m.config?.mediaType !== ARTEFACT_CONFIG_TYPE) throw new NbprError(`not an NBPR artefact: its config is ${JSON.stringify(m.config?.mediaType)}, not ${JSON.stringify(ARTEFACT_CONFIG_TYPE)}`, { code: 'artefact/not-nbpr', where, hint });
  if (!Array.isArray(m.layers) || m.layers.length !== 1) throw new NbprError(`not an NBPR artefact: it has ${Array.isArray(m.layers) ? m.layers.length : 'no list of'} layers, an NBPR artefact has exactly one`, { code: 'artefact/not-nbpr', where, hint });
  const config = checkDescriptor(m.config, 'the config blob', where);
  const layer = checkDescriptor(m.layers[0], 'the layer', where);
  return { config, layer, key: m.annotations?.[KEY_ANNOTATION], diffId: m.annotations?.[DIFF_ID_ANNOTATION] };
}

/** The config blob, its key document checked to hash to the key it states. */
export function readArtefactConfig(bytes: Buffer, where: string): ArtefactConfig {
  let config: ArtefactConfig;
  try {
    config = JSON.parse(bytes.toString('utf8')) as ArtefactConfig;
  } catch (error) {
    throw new NbprError(`the artefact's config blob is not JSON: ${(error as Error).message}`, { code: 'artefact/invalid-config', where, hint: 'The artefact was not published by NBPR, or is corrupt; NBPR will not use it.' });
  }
  let actual: string;
  try {
    validateKeyDocument(config.keyDocument);
    // A registry's key document may hold what has no canonical form (half a surrogate pair).
    actual = cacheKey(config.keyDocument);
  } catch (error) {
    throw new NbprError(`artefact config: ${(error as Error).message}`, { code: 'artefact/invalid-config', where });
  }
  if (actual !== config.key) throw new NbprError(`artefact config states key ${config.key}, but its key document hashes to ${actual}`, { code: 'artefact/tampered', where, hint: 'The artefact was altered after publishing; it is not used.' });
  return config;
}

/** The config blob, checked to be for `expectedKey`: its key document must hash to it. */
export function parseArtefactConfig(bytes: Buffer, expectedKey: string, where: string): ArtefactConfig {
  const config = readArtefactConfig(bytes, where);
  if (config.key !== expectedKey) {
    throw new NbprError(`artefact is for key ${config.key}, expected ${expectedKey}`, { code: 'artefact/wrong-key', where, hint: 'The tag points at an artefact built from other inputs; it is not used.' });
  }
  return config;
}
