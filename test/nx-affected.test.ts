import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitAll, copyWorkspace, runNx } from './support/nx-workspace';

// What `nx affected` selects in CI, in a temporary git repository: one commit, one question.

const ws = copyWorkspace();

function affectedBy(change: () => void): string[] {
  change();
  commitAll(ws, 'change');
  const run = runNx(ws, ['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json']);
  assert.equal(run.status, 0, run.output);
  return (JSON.parse(run.output.slice(run.output.indexOf('['), run.output.lastIndexOf(']') + 1)) as string[]).filter((p) => !p.startsWith('@nbpr/')).sort();
}

test("a change in a package's buildroot/ affects that package and the firmware that includes it, nothing else", () => {
  assert.deepEqual(
    affectedBy(() => appendFileSync(join(ws, 'examples', 'packages', 'nbpr-hello', 'buildroot', 'Config.in'), '\n')),
    ['example-firmware', 'nbpr-hello'],
  );
});

test('a change in a package affects its dependants too, and the catalogue site that shows it', () => {
  const file = join(ws, 'packages', 'libpcap', 'nbpr.json');
  assert.deepEqual(
    affectedBy(() => writeFileSync(file, readFileSync(file, 'utf8').replace('"exposeStaging": true', '"exposeStaging": false'))),
    ['libpcap', 'nbpr-catalogue', 'tcpdump'],
  );
});

test('a README-only change affects nothing', () => {
  assert.deepEqual(affectedBy(() => appendFileSync(join(ws, 'packages', 'jq', 'README.md'), '\nMore words.\n')), []);
});

test("a change in NBPR's libs affects every package and firmware", () => {
  const affected = affectedBy(() => appendFileSync(join(ws, 'libs', 'key', 'src', 'tag.ts'), '\n// a change\n'));
  for (const project of ['jq', 'dnsmasq', 'tcpdump', 'libpcap', 'nbpr-hello', 'nbpr-heartbeat', 'example-firmware']) assert.ok(affected.includes(project), `${project} in ${affected.join(', ')}`);
});
