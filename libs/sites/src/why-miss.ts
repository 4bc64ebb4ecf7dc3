import { parseArtefactManifest, readArtefactConfig } from '@nbpr/artefact';
import { NbprError } from '@nbpr/model';
import type { KeyDocument } from '@nbpr/key';
import { isAttachmentTag } from '@nbpr/trust';
import type { Site } from './sites';

/** Leaves of two JSON documents that differ, as `path: old -> new`. */
export function jsonDifferences(before: unknown, after: unknown, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before as object), ...Object.keys(after as object)])].sort();
    return keys.flatMap((k) => jsonDifferences((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [`${path || '(document)'}: ${JSON.stringify(before) ?? '(absent)'} -> ${JSON.stringify(after) ?? '(absent)'}`];
}

/**
 * Why a package has no prebuilt: its key document against those of the package's artefacts
 * that the sites hold, read from their config blobs (no layer is downloaded); the nearest one
 * is the one with the fewest differing inputs.
 */
export async function whyMiss(wanted: { name: string; key: string; keyDocument: KeyDocument }, sites: Site[]): Promise<string[]> {
  const candidates: Array<{ where: string; differences: string[] }> = [];
  const unreachable: string[] = [];
  for (const site of sites) {
    const repository = site.repository(wanted.name);
    let tags: string[];
    try {
      // Signatures and provenance live under tags of their own, beside the artefacts.
      tags = (await repository.listTags()).filter((tag) => !isAttachmentTag(tag));
    } catch (error) {
      if (!(error instanceof NbprError)) throw error;
      unreachable.push(`  could not list ${repository.location}: ${error.message}`);
      continue;
    }
    for (const tag of tags) {
      const where = `${repository.location}:${tag}`;
      const manifest = parseArtefactManifest((await repository.getManifest(tag)).bytes, where);
      const config = readArtefactConfig(await repository.getBlobBytes(manifest.config), where);
      if (config.key === wanted.key) return [`not a miss: ${where} has key ${wanted.key}`];
      candidates.push({ where, differences: jsonDifferences(config.keyDocument, wanted.keyDocument) });
    }
  }
  if (candidates.length === 0) return [`no artefact of ${wanted.name} at any site (${sites.map((s) => s.name).join(', ') || 'none configured'}): nothing to compare with`, ...unreachable];
  const nearest = candidates.reduce((best, c) => (c.differences.length < best.differences.length ? c : best));
  return [
    `${wanted.name}: key ${wanted.key.slice(0, 16)} has no artefact; nearest is ${nearest.where}, which differs in ${nearest.differences.length} input(s) (before -> now):`,
    ...nearest.differences.map((d) => `  ${d}`),
    ...unreachable,
  ];
}
