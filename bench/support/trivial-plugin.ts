import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A second local plugin giving every NBPR project a cached `trivial` target: the floor. */
export function addTrivialPlugin(ws: string): void {
  const dir = join(ws, 'tools', 'bench-trivial');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-trivial', version: '0.0.0', main: './index.js', executors: './executors.json' }));
  writeFileSync(join(dir, 'executors.json'), JSON.stringify({ executors: { noop: { implementation: './noop.js', schema: './schema.json', description: 'writes one file' } } }));
  writeFileSync(join(dir, 'schema.json'), JSON.stringify({ type: 'object', properties: {} }));
  writeFileSync(
    join(dir, 'noop.js'),
    `const fs = require('node:fs'), path = require('node:path');
module.exports = async (_o, ctx) => { const root = ctx.projectsConfigurations.projects[ctx.projectName].root;
  const out = path.join(ctx.root, 'dist', root, 'trivial-' + _o.stage + '.json'); fs.mkdirSync(path.dirname(out), { recursive: true }); fs.writeFileSync(out, '{}'); return { success: true }; };`,
  );
  // The same graph as the NBPR targets (one task per stage, chained by dependsOn, the same file
  // inputs, one output each) with an executor that does nothing: what Nx itself costs for it.
  writeFileSync(
    join(dir, 'index.js'),
    `const path = require('node:path');
const code = ['{workspaceRoot}/libs/*/src/**/*', '{workspaceRoot}/libs/*/schemas/**/*', '{workspaceRoot}/libs/*/package.json', '{workspaceRoot}/tools/nbpr-plugin/src/**/*', '{workspaceRoot}/tools/nbpr-plugin/*.json', '{workspaceRoot}/tools/nbpr-cli/src/**/*'];
const target = (stage, dependsOn) => ({ executor: 'bench-trivial:noop', cache: true, dependsOn: dependsOn ? [dependsOn] : [], options: { stage },
  inputs: ['{projectRoot}/nbpr*.json', { env: 'NBPR_SYSTEM' }, ...code], outputs: ['{workspaceRoot}/dist/{projectRoot}/trivial-' + stage + '.json'] });
const chain = (stages) => { const names = stages.map((s) => (s === 'stage' ? 'trivial' : 'trivial-' + s));
  return Object.fromEntries(stages.map((s, i) => [names[i], target(s, names[i - 1])])); };
exports.createNodes = ['**/{nbpr.json,nbpr.firmware.json}', (files) => files.filter((f) => !f.includes('fixtures')).map((f) => [f, { projects: { [path.dirname(f)]: { targets:
  chain(f.endsWith('nbpr.firmware.json') ? ['resolve', 'conflict-check', 'fetch-or-build', 'licence-aggregate', 'stage'] : ['resolve', 'conflict-check', 'fetch-or-build', 'stage']) } } }])];`,
  );
  // Installed, as a user's plugin would be: a plugin Nx cannot find in node_modules is a local
  // one, for which Nx registers its TypeScript compiler (0.3 s) in every process.
  symlinkSync(dir, join(ws, 'node_modules', 'bench-trivial'));
  const nxJsonPath = join(ws, 'nx.json');
  const nxJson = JSON.parse(readFileSync(nxJsonPath, 'utf8'));
  nxJson.plugins.push('./tools/bench-trivial');
  writeFileSync(nxJsonPath, JSON.stringify(nxJson, null, 2));
}

