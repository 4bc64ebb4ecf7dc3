import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultsOn, factsFromTree } from '@nbpr/buildroot';
import { NbprError } from '@nbpr/model';

export interface BuildrootOption {
  symbol: string;
  prompt: string;
  defaultOn: boolean;
}

export interface BuildrootFacts {
  version: string | null;
  license: string | null;
  homepage: string | null;
  description: string | null;
  dependencies: string[];
  options: BuildrootOption[];
}

/**
 * What a Buildroot tree says of one package, for a new nbpr.json: read as check-catalogue reads
 * it (the buildroot lib's factsFromTree), so that a generated package agrees with the check.
 */
export function readBuildrootFacts(tree: string, name: string): BuildrootFacts {
  const facts = factsFromTree(tree, [name])[name];
  if (!facts || !existsSync(join(tree, 'package', name, `${name}.mk`))) {
    throw new NbprError(`Buildroot has no package '${name}'`, { code: 'buildroot/unknown-package', where: join(tree, 'package'), hint: 'Use the directory name under package/ of the Buildroot tree.' });
  }
  return {
    version: facts.version || null,
    license: facts.license ?? null,
    homepage: facts.homepage ?? null,
    description: facts.description ?? null,
    dependencies: facts.dependencies ?? [],
    options: facts.options.filter((o) => o.type === 'bool').map((o) => ({ symbol: o.symbol, prompt: o.prompt ?? '', defaultOn: defaultsOn(o) })),
  };
}
