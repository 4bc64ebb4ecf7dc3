import { CHECKSUM_SHORT } from './nerves-checksum';

/** The directory Nerves unpacks a system into (Nerves.Artifact.name): `<app>-portable-<version>`. */
export function systemArtefactName(app: string, version: string): string {
  return `${app}-portable-${version}`;
}

/** The release file of a system (Nerves.Artifact.download_name + ext): `<app>-portable-<version>-<checksum, 7 digits>.tar.gz`. */
export function systemDownloadName(app: string, version: string, checksum: string): string {
  return `${systemArtefactName(app, version)}-${checksum.slice(0, CHECKSUM_SHORT).toUpperCase()}.tar.gz`;
}

/** Whether `file` is a release file of that system, whatever its checksum. */
export function isSystemDownloadName(app: string, version: string, file: string): boolean {
  const prefix = `${systemArtefactName(app, version)}-`;
  return file.startsWith(prefix) && new RegExp(`^[0-9A-F]{${CHECKSUM_SHORT}}\\.tar\\.gz$`).test(file.slice(prefix.length));
}
