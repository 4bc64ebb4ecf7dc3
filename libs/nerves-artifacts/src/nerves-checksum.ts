import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Nerves names a downloadable artefact with the first 7 digits of its checksum (@checksum_short). */
export const CHECKSUM_SHORT = 7;

/**
 * A Nerves package's artefact checksum (Nerves.Artifact.checksum), from its source tree and the
 * `checksum:` list of its nerves_package config: each entry expanded (a glob as Path.wildcard
 * expands it, a directory to every file
 * under it, sorted as whole paths, hidden names skipped, as Path.wildcard lists them), regular files
 * only, each once; the sha256 of the concatenated sha256 digests, in upper-case hex.
 */
export function nervesChecksum(packageDir: string, entries: string[]): string {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const absolute = resolve(file);
    if (seen.has(absolute) || !isRegular(absolute)) return;
    seen.add(absolute);
    files.push(absolute);
  };
  for (const entry of entries) {
    for (const path of wildcard(packageDir, entry)) {
      if (isDirectory(path)) walk(path).forEach(add);
      else add(path);
    }
  }
  const digests = files.map((file) => createHash('sha256').update(readFileSync(file)).digest());
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex').toUpperCase();
}

/**
 * The paths an entry names, as Path.wildcard lists them: `*`, `?`, `[...]` and `{a,b}` within a
 * name, `**` for any depth, hidden names only when spelt out, sorted; a plain path if it exists.
 */
function wildcard(base: string, pattern: string): string[] {
  if (!/[*?[{]/.test(pattern)) return existsSync(join(base, pattern)) ? [join(base, pattern)] : [];
  let paths = [base];
  for (const segment of pattern.split('/').filter(Boolean)) {
    if (segment === '**') {
      paths = paths.flatMap((p) => [p, ...walk(p).filter(isDirectory)]);
      continue;
    }
    if (!/[*?[{]/.test(segment)) {
      paths = paths.map((p) => join(p, segment)).filter((p) => existsSync(p));
      continue;
    }
    const matcher = segmentRegExp(segment);
    paths = paths.flatMap((p) => (isDirectory(p) ? readdirSync(p).filter((n) => !n.startsWith('.') && matcher.test(n)).map((n) => join(p, n)) : []));
  }
  return [...new Set(paths)].sort(byBytes);
}

function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      source += end > i ? `[${segment.slice(i + 1, end).replace(/\\/g, '\\\\')}]` : '\\[';
      i = end > i ? end : i;
    } else if (c === '{') {
      const end = segment.indexOf('}', i + 1);
      source += end > i ? `(?:${segment.slice(i + 1, end).split(',').map(escapeRegExp).join('|')})` : '\\{';
      i = end > i ? end : i;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Every path under `dir`, as Path.wildcard(dir/**) lists them: hidden names skipped, sorted as whole paths. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    out.push(path);
    if (isDirectory(path)) out.push(...walk(path));
  }
  return out.sort(byBytes);
}

function isRegular(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
