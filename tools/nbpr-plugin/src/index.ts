import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';
export const createNodes = ['**/nbpr.json', (files: string[], opts: any, ctx: any) => {
  return files.map((f) => {
    const j = JSON.parse(readFileSync(f, 'utf8'));
    const root = dirname(f);
    const digest = createHash('sha256').update(JSON.stringify(j.build ?? {})).digest('hex');
    return [f, { projects: { [root]: { name: j.name, root, metadata: { description: j.description }, targets: {
      resolve: { executor: '@nbpr/nx-plugin:resolve', cache: true, inputs: [{ env: 'NBPR_SYSTEM' }], options: { keyInputs: digest }, outputs: ['{workspaceRoot}/dist/{projectRoot}'] },
    } } } }];
  });
}];
