import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface ChoiceGroup {
  file: string;
  prompt: string | null;
  members: string[];
}

/**
 * The `choice` groups of a Buildroot tree (and BR2_EXTERNAL trees), read from their Config.in
 * files: two members of one group cannot both be chosen in one configuration.
 */
export function choiceGroupsFromTrees(dirs: string[]): ChoiceGroup[] {
  const groups: ChoiceGroup[] = [];
  for (const dir of dirs) {
    for (const file of configFiles(dir)) {
      const lines = readFileSync(file, 'utf8').split('\n');
      let current: ChoiceGroup | null = null;
      let depth = 0;
      for (const raw of lines) {
        const line = raw.trim();
        if (/^choice\b/.test(line)) {
          if (depth++ === 0) current = { file: relative(dir, file), prompt: null, members: [] };
        } else if (line === 'endchoice') {
          if (--depth === 0 && current) {
            if (current.members.length > 1) groups.push(current);
            current = null;
          }
        } else if (current && depth === 1) {
          const config = line.match(/^config\s+(\w+)$/);
          if (config) current.members.push(config[1]);
          const prompt = line.match(/^prompt\s+"([^"]*)"/) ?? line.match(/^bool\s+"([^"]*)"/);
          if (prompt && current.prompt === null && current.members.length === 0) current.prompt = prompt[1];
        }
      }
    }
  }
  return groups;
}

/** The choice groups NBPR carries for a Buildroot version, for runs without a Buildroot tree. */
export function bundledChoiceGroups(buildrootVersion: string): ChoiceGroup[] {
  const file = join(__dirname, '..', 'data', `choices-${buildrootVersion}.json`);
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { choices: ChoiceGroup[] }).choices;
}

function configFiles(dir: string, out: string[] = [], depth = 0): string[] {
  if (depth > 6 || !existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'output' || name.startsWith('.') || name === 'dl') continue;
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) configFiles(path, out, depth + 1);
    else if (/^Config\.in/.test(name)) out.push(path);
  }
  return out;
}
