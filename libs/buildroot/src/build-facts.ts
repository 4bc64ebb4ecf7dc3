import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The facts conflict-check reads from an artefact: the resolved value of every symbol the
 * Config.in files of the package's dependency closure define, as the build's .config has it.
 */
export function buildFacts(closure: string[], configDirs: string[], config: Map<string, string>): { kconfig: Record<string, string>; closure: string[] } {
  const kconfig: Record<string, string> = {};
  for (const pkg of closure) {
    for (const dir of configDirs) {
      const file = join(dir, 'package', pkg, 'Config.in');
      if (!existsSync(file)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:menu)?config\s+(BR2_\w+)\s*$/gm)) kconfig[m[1]] = config.get(m[1]) ?? 'n';
    }
  }
  return { kconfig, closure: [...closure].sort() };
}
