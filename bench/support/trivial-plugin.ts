import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A second local plugin giving every package a `trivial` cached target: the floor. */
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
  const out = path.join(ctx.root, 'dist', root, 'trivial.json'); fs.mkdirSync(path.dirname(out), { recursive: true }); fs.writeFileSync(out, '{}'); return { success: true }; };`,
  );
  writeFileSync(
    join(dir, 'index.js'),
    `const path = require('node:path');
exports.createNodes = ['**/{nbpr.json,nbpr.firmware.json}', (files) => files.filter((f) => !f.includes('fixtures')).map((f) => [f, { projects: { [path.dirname(f)]: { targets: {
  trivial: { executor: 'bench-trivial:noop', cache: true, inputs: ['{projectRoot}/nbpr*.json'], outputs: ['{workspaceRoot}/dist/{projectRoot}/trivial.json'] } } } } }])];`,
  );
  const nxJsonPath = join(ws, 'nx.json');
  const nxJson = JSON.parse(readFileSync(nxJsonPath, 'utf8'));
  nxJson.plugins.push('./tools/bench-trivial');
  writeFileSync(nxJsonPath, JSON.stringify(nxJson, null, 2));
}

