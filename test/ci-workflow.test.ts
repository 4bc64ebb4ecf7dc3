import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { nervesDataDir, downloadDir } from '@nbpr/buildroot';
import { nervesArtifactsDir } from '@nbpr/nerves-artifacts';
import { ciSystems } from '@nbpr/pipeline';
import type { PluginOptions } from '@nbpr/model';
import { repoRoot } from './support/reference';
import { commitAll, copyWorkspace, git } from './support/nx-workspace';
import { tempDir } from './support/temp';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Job {
  needs?: string;
  if?: string;
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown };
  env?: Record<string, string>;
  concurrency?: { group: string };
  steps: Step[];
}

const workflowText = readFileSync(join(repoRoot, '.github', 'workflows', 'nbpr.yml'), 'utf8');
const workflow = parse(workflowText) as { on: Record<string, unknown>; jobs: Record<string, Job> };
const nxOptions = () => (JSON.parse(readFileSync(join(repoRoot, 'nx.json'), 'utf8')).plugins as Array<{ plugin: string; options: PluginOptions }>).find((p) => p.plugin === '@nbpr/nx-plugin')!.options;

test('the workflow is a plan job whose matrix drives one build job per system, building on pull requests and publishing on main', () => {
  assert.deepEqual(Object.keys(workflow.on).sort(), ['pull_request', 'push']);
  const { plan, build } = workflow.jobs;
  assert.ok(plan && build, 'jobs plan and build');
  assert.equal(build.needs, 'plan');
  assert.equal(plan.outputs?.matrix, '${{ steps.plan.outputs.matrix }}');
  assert.equal(build.strategy?.matrix, '${{ fromJSON(needs.plan.outputs.matrix) }}');
  assert.match(build.if ?? '', /include\[0\] != null/, 'no job when no system has work');
  const planStep = plan.steps.find((s) => s.id === 'plan')!;
  assert.match(planStep.run!, /nx show projects --affected --base="\$NBPR_BASE" --head=HEAD --json/);
  assert.match(planStep.run!, /nbpr\.js ci-plan/);
  assert.equal(build.env?.NBPR_SYSTEM, '${{ matrix.system }}');
  assert.equal(build.env?.NBPR_PROJECTS, '${{ matrix.projects }}');
  assert.match(build.concurrency?.group ?? '', /matrix\.system/, 'publishes serialised per system');
  const pr = build.steps.find((s) => s.if === "github.event_name == 'pull_request'" && s.run?.includes('nx run-many'));
  const main = build.steps.find((s) => s.if === "github.event_name == 'push'" && s.run?.includes('nx run-many'));
  assert.equal(pr?.run, 'npx nx run-many -t fetch-or-build -p "$NBPR_PROJECTS"');
  assert.equal(main?.run, 'npx nx run-many -t publish -p "$NBPR_PROJECTS"');
});

test("the signing key comes from the repository's secrets into the publish step alone: no other step, job or pull request build sees it", () => {
  const publish = workflow.jobs.build.steps.find((s) => s.run === 'npx nx run-many -t publish -p "$NBPR_PROJECTS"')!;
  assert.equal(publish.if, "github.event_name == 'push'");
  assert.equal(publish.env?.NBPR_SIGNING_KEY, '${{ secrets.NBPR_SIGNING_KEY }}');
  assert.equal(publish.env?.NBPR_SIGNING_KEY_PASSWORD, '${{ secrets.NBPR_SIGNING_KEY_PASSWORD }}');
  const mentions = workflowText.split('\n').filter((line) => line.includes('NBPR_SIGNING_KEY') && !line.trim().startsWith('#'));
  assert.equal(mentions.length, 2, mentions.join('\n'));
  assert.ok(nxOptions().trust?.keys?.length, "nx.json lists the keys whose signatures fetch accepts");
});

test('no expression is pasted into a shell script: branch and project names reach it through the environment', () => {
  for (const [name, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps) {
      if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${name} / ${step.name ?? step.run.slice(0, 40)}`);
    }
  }
});

test("the system artefacts, the patched Buildroot trees and the download dir are cached between runs, keyed by system, at the paths NBPR uses", () => {
  const caches = workflow.jobs.build.steps.filter((s) => s.uses?.startsWith('actions/cache@'));
  const home = '/home/runner';
  const expand = (path: string) => path.replace(/^~/, home);
  const cachedPaths = caches.map((s) => expand(s.with!.path));
  assert.deepEqual(cachedPaths.sort(), [nervesArtifactsDir({ HOME: home }), downloadDir({ HOME: home }), nervesDataDir({ HOME: home })].sort());
  for (const cache of caches) assert.match(cache.with!.key, /\$\{\{ matrix\.system \}\}/, `${cache.name} is keyed by the system`);
  const setup = workflow.jobs.build.steps.findIndex((s) => s.run?.includes('scripts/setup.sh'));
  const firstBuild = workflow.jobs.build.steps.findIndex((s) => s.run?.includes('nx run-many'));
  assert.ok(caches.every((c) => workflow.jobs.build.steps.indexOf(c) < firstBuild) && setup < firstBuild, 'restored before anything is built');
});

test("the systems CI builds for are nx.json's: real Nerves systems, each with the checksum naming its release, and the example system", () => {
  const options = nxOptions();
  const systems = ciSystems(options);
  assert.ok(systems.includes(options.defaultSystem));
  const real = systems.filter((id) => !options.systems?.[id]?.path);
  assert.ok(real.length >= 4, `real systems: ${real.join(', ')}`);
  for (const id of real) {
    assert.match(id, /^nerves_system_[a-z0-9_]+@\d+\.\d+\.\d+$/);
    assert.match(options.systems![id].checksum ?? '', /^[0-9A-F]{64}$/, `${id} has its full Nerves checksum`);
  }
});

test("the workflow's own plan script, run on a change to one package, gives a job for each system it targets and none for the others", () => {
  const ws = copyWorkspace();
  mkdirSync(join(ws, '.github', 'workflows'), { recursive: true });
  writeFileSync(join(ws, '.github', 'workflows', 'nbpr.yml'), workflowText);
  commitAll(ws, 'workflow');
  const base = git(ws, 'rev-parse', 'HEAD').trim();
  const jq = join(ws, 'packages', 'jq', 'nbpr.json');
  const manifest = JSON.parse(readFileSync(jq, 'utf8'));
  manifest.description += ' (changed)';
  writeFileSync(jq, JSON.stringify(manifest, null, 2) + '\n');
  commitAll(ws, 'change jq');
  assert.notEqual(git(ws, 'rev-parse', 'HEAD').trim(), base, 'the change was committed');

  // The runner's npx, for `npx nx`: this repository's nx.
  const bin = tempDir();
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = nx ] && shift\nexec "${process.execPath}" "${join(repoRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js')}" "$@"\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  const runnerTemp = tempDir();
  const output = join(runnerTemp, 'output');
  writeFileSync(output, '');
  const step = workflow.jobs.plan.steps.find((s) => s.id === 'plan')!;
  const { NODE_OPTIONS: _, ...env } = process.env;
  const result = spawnSync('bash', ['-e', '-c', step.run!], {
    cwd: ws,
    encoding: 'utf8',
    env: { ...env, PATH: `${bin}:${process.env.PATH}`, NBPR_BASE: base, RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: output, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const line = readFileSync(output, 'utf8').trim();
  assert.match(line, /^matrix=/);
  const matrix = JSON.parse(line.slice('matrix='.length)) as { include: Array<{ system: string; projects: string }> };
  const jqTargets = new Set<string>(manifest.targets);
  const expected = ciSystems(nxOptions()).filter((id) => jqTargets.has(id.split('@')[0]));
  assert.ok(expected.length >= 4);
  assert.deepEqual(matrix.include, expected.map((system) => ({ system, projects: 'jq' })));
});
