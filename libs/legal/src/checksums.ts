import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const CHECKSUM_FILE = 'legal-info.sha256';

/** Every file below `dir` (relative, '/'-separated, sorted bytewise), the checksum file excepted. */
export function legalFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...legalFiles(path, root));
    else if (relative(root, path) !== CHECKSUM_FILE) out.push(relative(root, path).split('\\').join('/'));
  }
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** legal-info.sha256 as Buildroot writes it: `<sha256>  <path>` per file. */
export function checksumText(dir: string): string {
  return legalFiles(dir).map((f) => `${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')}  ${f}`).join('\n') + '\n';
}
