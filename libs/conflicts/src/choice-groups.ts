import { existsSync, readFileSync } from 'node:fs';
import { isFile } from '@nbpr/model';
import { join, relative } from 'node:path';

export interface ChoiceGroup {
  file: string;
  prompt: string | null;
  members: string[];
}

/**
 * The `choice` groups of a Buildroot tree (and of BR2_EXTERNAL trees), read as Kconfig reads
 * them: from the top Config.in through its `source` lines, so that only files Kconfig sees
 * count (a tree also holds Config.in files of unpacked sources and of test suites), help texts
 * are not parsed as Kconfig, and a path that is not a regular file (Buildroot ships dangling
 * symlinks in its skeletons) is never opened. Two members of one group cannot both be chosen.
 */
export function choiceGroupsFromTrees(dirs: string[]): ChoiceGroup[] {
  const groups: ChoiceGroup[] = [];
  const seen = new Set<string>();
  const externals = externalPaths(dirs);
  for (const dir of dirs) {
    const reader = new KconfigReader((group, file) => groups.push({ file: relative(dir, file), ...group }), (source) => {
      const expanded = source.replace(/\$\{?(BR2_EXTERNAL_\w+_PATH)\}?/g, (whole, name: string) => externals.get(name) ?? whole);
      if (expanded.includes('$')) return undefined;
      const file = expanded.startsWith('/') ? expanded : join(dir, expanded);
      if (seen.has(file) || !isFile(file)) return undefined;
      seen.add(file);
      return file;
    });
    const top = join(dir, 'Config.in');
    if (isFile(top)) reader.read(top);
  }
  return groups;
}

/**
 * Reads Kconfig files as a stream, `source` lines inline (as Kconfig does: a file sourced
 * inside a `choice` contributes members to it, as toolchain-external's Config.in does).
 */
class KconfigReader {
  private choice: { prompt: string | null; members: string[]; file: string } | null = null;
  private depth = 0;
  /**
   * The conditions of the `if` blocks open inside the current choice. As in Kconfig's menu
   * structure, a symbol that depends on a member already seen is that member's sub-option
   * (libopenssl's options under BR2_PACKAGE_LIBOPENSSL), not a member itself.
   */
  private conditions: string[] = [];

  constructor(
    private readonly found: (group: { prompt: string | null; members: string[] }, file: string) => void,
    /** The file a `source` line names, or undefined when it is not to be read. */
    private readonly resolve: (source: string) => string | undefined,
  ) {}

  read(file: string): void {
    let helpIndent: number | null = null;
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      const indent = raw.match(/^[ \t]*/)![0].replace(/\t/g, '        ').length;
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      if (helpIndent !== null) {
        // A help text ends at the first non-blank line indented less than its first line.
        if (raw.trim() === '') continue;
        if (helpIndent < 0) helpIndent = indent;
        if (indent >= helpIndent) continue;
        helpIndent = null;
      }
      if (line === 'help' || line === '---help---') {
        helpIndent = -1;
        continue;
      }
      const source = line.match(/^(?:source|rsource|osource)\s+"([^"]+)"/);
      if (source) {
        const sourced = this.resolve(source[1]);
        if (sourced) this.read(sourced);
      } else if (/^choice(\s|$)/.test(line)) {
        if (this.depth++ === 0) {
          this.choice = { prompt: null, members: [], file };
          this.conditions = [];
        }
      } else if (/^endchoice(\s|$)/.test(line)) {
        if (this.depth > 0 && --this.depth === 0 && this.choice) {
          const { file: where, ...group } = this.choice;
          if (group.members.length > 1) this.found(group, where);
          this.choice = null;
        }
      } else if (this.choice && this.depth === 1 && /^if\s/.test(line)) {
        this.conditions.push(line.slice(3));
      } else if (this.choice && this.depth === 1 && /^endif(\s|$)/.test(line)) {
        this.conditions.pop();
      } else if (this.choice && this.depth === 1) {
        const config = line.match(/^config\s+(\w+)$/);
        const members = this.choice.members;
        const underMember = this.conditions.some((c) => (c.match(/\w+/g) ?? []).some((s) => members.includes(s)));
        if (config && !underMember) members.push(config[1]);
        const prompt = raw.trim().match(/^prompt\s+"([^"]*)"/) ?? raw.trim().match(/^bool\s+"([^"]*)"/);
        if (prompt && this.choice.prompt === null && this.choice.members.length === 0) this.choice.prompt = prompt[1];
      }
    }
  }
}

/** BR2_EXTERNAL_<NAME>_PATH for every directory that is a BR2_EXTERNAL tree (external.desc). */
function externalPaths(dirs: string[]): Map<string, string> {
  const paths = new Map<string, string>();
  for (const dir of dirs) {
    const desc = join(dir, 'external.desc');
    if (!isFile(desc)) continue;
    const name = readFileSync(desc, 'utf8').match(/^name:\s*(\S+)/m)?.[1];
    if (name) paths.set(`BR2_EXTERNAL_${name}_PATH`, dir);
  }
  return paths;
}

/** The choice groups NBPR carries for a Buildroot version, for runs without a Buildroot tree. */
export function bundledChoiceGroups(buildrootVersion: string): ChoiceGroup[] {
  const file = join(__dirname, '..', 'data', `choices-${buildrootVersion}.json`);
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { choices: ChoiceGroup[] }).choices;
}
