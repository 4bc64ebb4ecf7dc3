import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyWorkspace, runNx } from './support/nx-workspace';

const ws = copyWorkspace();

test('every nbpr.json and nbpr.firmware.json is an Nx project', () => {
  const run = runNx(ws, ['show', 'projects', '--json']);
  assert.equal(run.status, 0, run.output);
  const projects = JSON.parse(run.output.slice(run.output.indexOf('['), run.output.lastIndexOf(']') + 1)) as string[];
  for (const name of ['jq', 'dnsmasq', 'htop', 'iperf3', 'tcpdump', 'libpcap', 'strace', 'chrony', 'wireguard-tools', 'nbpr-hello', 'nbpr-heartbeat', 'example-firmware']) {
    assert.ok(projects.includes(name), `${name} missing from ${projects.join(', ')}`);
  }
});

test('a package shows only implemented targets, with the key inputs as Nx inputs', () => {
  const run = runNx(ws, ['show', 'project', 'nbpr-hello', '--json']);
  assert.equal(run.status, 0, run.output);
  const project = JSON.parse(run.output.slice(run.output.indexOf('{'), run.output.lastIndexOf('}') + 1));
  assert.deepEqual(Object.keys(project.targets).sort(), ['conflict-check', 'fetch-or-build', 'publish', 'resolve', 'stage']);
  const resolve = project.targets.resolve;
  assert.equal(resolve.executor, '@nbpr/nx-plugin:pipeline', 'one executor, so that Nx runs the NBPR tasks of a run in one batch');
  for (const [name, target] of Object.entries(project.targets) as Array<[string, { executor: string; options: { stage: string } }]>) {
    assert.equal(target.executor, '@nbpr/nx-plugin:pipeline');
    assert.equal(target.options.stage, name);
  }
  assert.equal(resolve.cache, true);
  assert.match(resolve.options.keyInputs, /^[0-9a-f]{64}$/);
  assert.ok(resolve.inputs.includes('{projectRoot}/buildroot/**/*'));
  assert.ok(resolve.inputs.some((i: { env?: string }) => i.env === 'NBPR_SYSTEM'));
  assert.ok(resolve.inputs.some((i: { runtime?: string }) => i.runtime?.includes('system-id')));
  assert.ok(resolve.inputs.some((i: string) => typeof i === 'string' && i.startsWith('{workspaceRoot}/libs/')));
});

test("package and firmware targets share one system-identity command, naming the systems firmware pin, so Nx runs it once", () => {
  const firmwarePath = join(ws, 'examples', 'firmware', 'nbpr.firmware.json');
  const original = readFileSync(firmwarePath, 'utf8');
  const pinned = original.replace(/"system": "[^"]+"/, '"system": "nerves_system_rpi4@2.0.4"');
  assert.notEqual(pinned, original, 'the edit pins the example firmware to another system');
  writeFileSync(firmwarePath, pinned);
  try {
    const runtimeOf = (name: string) => {
      const run = runNx(ws, ['show', 'project', name, '--json']);
      assert.equal(run.status, 0, run.output);
      const project = JSON.parse(run.output.slice(run.output.indexOf('{'), run.output.lastIndexOf('}') + 1));
      return (project.targets.resolve.inputs as Array<{ runtime?: string }>).filter((i) => i.runtime).map((i) => i.runtime);
    };
    const command = runtimeOf('example-firmware');
    assert.equal(command.length, 1);
    assert.match(command[0]!, /system-id --system nerves_system_rpi4@2\.0\.4$/);
    assert.deepEqual(runtimeOf('jq'), command);
  } finally {
    writeFileSync(firmwarePath, original);
  }
});

test("when every system a run can be for is a workspace directory, the system input is those files and an echo: no process unless NBPR_SYSTEM or NERVES_SYSTEM is set", () => {
  const run = runNx(ws, ['show', 'project', 'jq', '--json']);
  assert.equal(run.status, 0, run.output);
  const inputs = JSON.parse(run.output.slice(run.output.indexOf('{'), run.output.lastIndexOf('}') + 1)).targets.resolve.inputs as Array<string | { runtime?: string }>;
  const runtime = inputs.flatMap((i) => (typeof i === 'object' && i.runtime ? [i.runtime] : []));
  assert.deepEqual(runtime, ['test -z "$NBPR_SYSTEM$NERVES_SYSTEM" && echo nerves_system_nbpr_example@0.1.0 || node tools/nbpr-cli/bin/nbpr.js system-id --system nerves_system_nbpr_example@0.1.0']);
  assert.ok(inputs.includes('{workspaceRoot}/examples/systems/nerves_system_nbpr_example-portable-0.1.0/**/*'), JSON.stringify(inputs));
  const sh = (env: Record<string, string>) => spawnSync('sh', ['-c', runtime[0]], { cwd: ws, env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' }).stdout.trim();
  assert.equal(sh({}), 'nerves_system_nbpr_example@0.1.0');
  assert.match(sh({ NBPR_SYSTEM: 'nerves_system_rpi4@2.0.4' }), /nerves_system_rpi4@2\.0\.4/, 'another system is asked of nbpr system-id');
  assert.match(sh({ NERVES_SYSTEM: join(ws, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0') }), /"config":"sha256:[0-9a-f]{64}"/, 'so is a system NERVES_SYSTEM names');
});

test('the graph has package -> package and firmware -> package edges', () => {
  const run = runNx(ws, ['graph', '--file=graph.json']);
  assert.equal(run.status, 0, run.output);
  const graph = JSON.parse(readFileSync(join(ws, 'graph.json'), 'utf8')).graph;
  const targets = (name: string) => (graph.dependencies[name] as Array<{ target: string }>).map((d) => d.target);
  assert.ok(targets('tcpdump').includes('libpcap'));
  assert.ok(targets('example-firmware').includes('nbpr-hello'));
  assert.ok(targets('example-firmware').includes('nbpr-heartbeat'));
  assert.ok(targets('jq').includes('@nbpr/nx-plugin'), 'packages depend on NBPR code, so affected reaches them');
});

test('a broken nbpr.json stops Nx with the file, the pointer and the fix, not a stack trace', () => {
  const file = join(ws, 'packages', 'jq', 'nbpr.json');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original.replace('"homepage"', '"hompage"'));
  try {
    const run = runNx(ws, ['show', 'projects']);
    assert.notEqual(run.status, 0);
    assert.match(run.output, /packages\/jq\/nbpr\.json:\d+:\d+ \/hompage: unknown key 'hompage'; did you mean 'homepage'\?/);
    assert.doesNotMatch(run.output, /at .*\.ts:\d+:\d+/);
  } finally {
    writeFileSync(file, original);
  }
});

test('the inferred projects are cached in Nx workspace data until an NBPR file changes, as Nx plugins cache theirs', () => {
  const own = copyWorkspace();
  assert.equal(runNx(own, ['show', 'projects']).status, 0);
  const cacheFile = join(own, '.nx', 'workspace-data', 'nbpr-projects.json');
  const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as { hash: string; results: Array<[string, { projects: Record<string, { name: string; metadata?: { description?: string } }> }]> };
  const entry = cache.results.find(([, r]) => Object.values(r.projects).some((p) => p.name === 'nbpr-hello'))!;
  Object.values(entry[1].projects)[0].metadata!.description = 'served from the cache';
  writeFileSync(cacheFile, JSON.stringify(cache));
  const described = () => {
    const run = runNx(own, ['show', 'project', 'nbpr-hello', '--json']);
    assert.equal(run.status, 0, run.output);
    return JSON.parse(run.output.slice(run.output.indexOf('{'), run.output.lastIndexOf('}') + 1)).metadata.description as string;
  };
  assert.equal(described(), 'served from the cache', 'an unchanged workspace reuses the cached projects');
  const file = join(own, 'examples', 'packages', 'nbpr-hello', 'nbpr.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/"description": "[^"]*"/, '"description": "edited"'));
  assert.equal(described(), 'edited', 'an edited nbpr.json is read again');
});
