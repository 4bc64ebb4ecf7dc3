import { constants, createGzip, type Gzip } from 'node:zlib';

/**
 * Every deflate parameter fixed: the blob digest is a function of these as much as of the
 * tar. Changing any of them changes every artefact's digest (not its diff id).
 */
const GZIP_OPTIONS = { level: 6, memLevel: 8, windowBits: 15, strategy: constants.Z_DEFAULT_STRATEGY } as const;

/** Offset of the OS byte in the gzip header (RFC 1952), and the value written everywhere. */
const OS_BYTE = 9;
const OS_UNIX = 3;

/**
 * A gzip stream whose header is the same on every host: zlib writes MTIME 0 and no FNAME when,
 * as here, no header is given, but its OS byte says where it was compiled (3 on Unix, 10 on
 * Windows). `fixHeader` sets it to 3 in the output.
 *
 * The deflate stream itself is only as deterministic as the zlib doing it: Node bundles
 * Chromium's zlib, and another zlib (a distribution's Node linked against the system's) may
 * compress the same tar differently. The diff id does not depend on it.
 */
export function createDeterministicGzip(): Gzip {
  return createGzip({ ...GZIP_OPTIONS, chunkSize: 64 * 1024 });
}

/** Normalises the header bytes of a gzip output chunk that starts `offset` bytes into the stream. */
export function fixHeader(chunk: Buffer, offset: number): void {
  if (offset <= OS_BYTE && OS_BYTE < offset + chunk.length) chunk[OS_BYTE - offset] = OS_UNIX;
}
