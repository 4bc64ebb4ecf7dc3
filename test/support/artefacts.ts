import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artefactTag, cacheKey, type KeyDocument } from '@nbpr/key';
import { packArtefact, type PackResult } from '@nbpr/artefact';

/** The key document of the example nbpr-hello package for the example system, with a variable part. */
export function helloKeyDocument(variant = ''): KeyDocument {
  return {
    nbpr: 1,
    package: { name: 'nbpr-hello', version: '0.1.0' },
    build: { packages: ['nbpr-hello'], kconfig: { BR2_PACKAGE_NBPR_HELLO: 'y' } },
    options: variant ? { variant } : {},
    system: { app: 'nerves_system_nbpr_example', version: '0.1.0', buildroot: '2026.05.1', config: 'sha256:' + '5'.repeat(64) },
    tree: 'sha256:' + 'a'.repeat(64),
  };
}

export interface PackedFixture extends PackResult {
  file: string;
  tag: string;
  key: string;
}

/** A packed artefact of a shell-script package, as a source build would leave it. */
export async function packedHello(dir: string, content = 'echo hello', variant = '', keyDocument: KeyDocument = helloKeyDocument(variant)): Promise<PackedFixture> {
  const src = join(dir, `src-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(src, 'target', 'usr', 'bin'), { recursive: true });
  mkdirSync(join(src, 'legal-info', 'licenses', 'nbpr-hello-0.1.0'), { recursive: true });
  writeFileSync(join(src, 'target', 'usr', 'bin', 'nbpr-hello'), `#!/bin/sh\n${content}\n`);
  chmodSync(join(src, 'target', 'usr', 'bin', 'nbpr-hello'), 0o755);
  writeFileSync(join(src, 'legal-info', 'manifest.csv'), '"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"\n"nbpr-hello","0.1.0","Apache-2.0","LICENSE","","",""\n');
  writeFileSync(join(src, 'legal-info', 'licenses', 'nbpr-hello-0.1.0', 'LICENSE'), 'Apache-2.0\n');
  const file = join(dir, `${Math.random().toString(36).slice(2)}.tar.gz`);
  const packed = await packArtefact({ sourceDir: src, keyDocument, outFile: file });
  const key = cacheKey(keyDocument);
  const { package: pkg, system } = keyDocument;
  return { ...packed, file, key, tag: artefactTag({ version: pkg.version, systemApp: system.app, systemVersion: system.version, key }) };
}
