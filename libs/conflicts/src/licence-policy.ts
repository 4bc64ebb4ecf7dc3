import parseSpdx from 'spdx-expression-parse';
import type { Catalogue } from '@nbpr/model';

type SpdxNode = { license: string; plus?: boolean; exception?: string } | { conjunction: 'and' | 'or'; left: SpdxNode; right: SpdxNode };

/**
 * Packages whose licence expression cannot be satisfied without a denied licence: an OR
 * is acceptable when one branch is, an AND only when both are. Checked from nbpr.json, so
 * before anything is downloaded or built.
 */
export function policyViolations(catalogue: Catalogue, packages: string[], deny: string[]): Array<{ name: string; licenses: string }> {
  const denied = new Set(deny);
  const acceptable = (node: SpdxNode): boolean =>
    'license' in node ? !denied.has(node.license) && !(node.plus && denied.has(`${node.license}-or-later`)) : node.conjunction === 'or' ? acceptable(node.left) || acceptable(node.right) : acceptable(node.left) && acceptable(node.right);
  return packages
    .map((name) => ({ name, licenses: catalogue.get(name).metadata.licenses }))
    .filter((p) => !acceptable(parseSpdx(p.licenses) as SpdxNode));
}
