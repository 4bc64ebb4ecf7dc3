import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isVcsEntry } from './vcs-files';

/**
 * What the tree hash covers beyond file contents: executable files and symlink targets, as
 * sorted lines. Nx hashes contents only, so the plugin adds these to a target's options to
 * make a chmod or a re-pointed link miss the cache as it changes the key. Synchronous and
 * content-free: it runs while Nx builds its project graph.
 */
export function treeModeFacts(dir: string): string[] {
  const facts: string[] = [];
  const walk = (prefix: string) => {
    for (const name of readdirSync(prefix ? join(dir, prefix) : dir)) {
      const path = prefix ? `${prefix}/${name}` : name;
      const stat = lstatSync(join(dir, path));
      if (isVcsEntry(name, stat.isDirectory())) continue;
      if (stat.isDirectory()) walk(path);
      else if (stat.isSymbolicLink()) facts.push(`120000 ${path} -> ${readlinkSync(join(dir, path))}`);
      else if (stat.isFile() && (stat.mode & 0o111) !== 0) facts.push(`755 ${path}`);
    }
  };
  walk('');
  return facts.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
