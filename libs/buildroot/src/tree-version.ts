import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Buildroot version a tree's top Makefile declares (`export BR2_VERSION := ...`); none if it is no Buildroot tree. */
export function treeVersion(tree: string): string | undefined {
  try {
    return readFileSync(join(tree, 'Makefile'), 'utf8').match(/^(?:export\s+)?BR2_VERSION\s*:?=\s*(\S+)/m)?.[1];
  } catch {
    return undefined;
  }
}
