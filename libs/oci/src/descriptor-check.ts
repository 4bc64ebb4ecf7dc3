import { NbprError } from '@nbpr/model';

/** The largest blob NBPR accepts from a registry or a layout: NBPR_MAX_BLOB_BYTES, default 8 GiB. */
export function maxBlobBytes(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.NBPR_MAX_BLOB_BYTES);
  return Number.isSafeInteger(configured) && configured > 0 ? configured : 8 * 1024 ** 3;
}

/**
 * A descriptor read from a registry or an image layout, checked before anything trusts it: a
 * sha256 digest, and a size that is a byte count (a whole number >= 0, at most maxBlobBytes).
 * A negative or fractional size would otherwise switch off the size checks that bound a
 * download.
 */
export function checkDescriptor<T extends { digest?: unknown; size?: unknown }>(descriptor: T, what: string, where: string): T & { digest: string; size: number } {
  const { digest, size } = descriptor ?? ({} as T);
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new NbprError(`${what} has no valid sha256 digest (${JSON.stringify(digest)})`, { code: 'oci/invalid-descriptor', where, hint: 'The registry or image layout holds something NBPR did not write; NBPR will not download from it.' });
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new NbprError(`${what} ${digest} has size ${JSON.stringify(size)}, which is not a byte count`, { code: 'oci/invalid-descriptor', where, hint: 'The registry or image layout holds something NBPR did not write; NBPR will not download from it.' });
  }
  if (size > maxBlobBytes()) {
    throw new NbprError(`${what} ${digest} is ${size} bytes, more than the ${maxBlobBytes()} NBPR accepts`, { code: 'oci/blob-too-large', where, hint: 'Set NBPR_MAX_BLOB_BYTES higher if an artefact really is this large.' });
  }
  return descriptor as T & { digest: string; size: number };
}
