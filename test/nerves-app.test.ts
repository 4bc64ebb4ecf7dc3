import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './support/reference';
import { tempDir } from './support/temp';

// NBPR used from outside this repository, as a Nerves developer would: the packed plugin, libs
// and catalogue installed into a new Nx workspace, a new Mix app wired by the generator, and
// `mix compile` staging the firmware's packages from a local image layout through the alias.

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const { NODE_OPTIONS: _, ...base } = process.env;
  const result = spawnSync(command, args, { cwd, env: { ...base, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, output: (result.stdout ?? '') + (result.stderr ?? '') };
}

test('a new Nx workspace installs the packed NBPR, a new Mix app is wired by the generator (twice, no change), and mix compile stages and compiles it; the program is on PATH and the daemon under the app supervisor', () => {
  const packs = tempDir();
  const packed = run(process.execPath, [join(repoRoot, 'scripts', 'pack.mjs'), packs], repoRoot);
  assert.equal(packed.status, 0, packed.output);
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  assert.ok(tarballs.includes('nbpr-nx-plugin-0.1.0.tgz') && tarballs.includes('nbpr-catalogue-0.1.0.tgz'), tarballs.join(' '));

  const ws = tempDir();
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const dependencies: Record<string, string> = { nx: root.devDependencies.nx, '@nx/devkit': root.devDependencies['@nx/devkit'] };
  for (const tarball of tarballs) {
    const name = run('tar', ['-xzOf', join(packs, tarball), 'package/package.json'], packs).output;
    dependencies[JSON.parse(name).name] = `file:${join(packs, tarball)}`;
  }
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'my-nerves-workspace', version: '0.0.0', private: true, devDependencies: dependencies }, null, 2));
  writeFileSync(join(ws, 'nx.json'), JSON.stringify({ neverConnectToCloud: true, useDaemonProcess: false, analytics: false, cacheDirectory: '.nx/cache' }, null, 2));
  const installed = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], ws);
  assert.equal(installed.status, 0, installed.output);
  assert.equal(run('git', ['init', '-q'], ws).status, 0);
  const nx = (...args: string[]) => run(process.execPath, [join(ws, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], ws);

  const init = nx('g', '@nbpr/nx-plugin:init', '--defaultSystem=nerves_system_nbpr_example@0.1.0', '--catalogue=@nbpr/example-catalogue');
  assert.equal(init.status, 0, init.output);
  // What the developer writes: where their system is, and where prebuilt artefacts are.
  const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
  assert.deepEqual(nxJson.plugins[0].options.catalogues, ['@nbpr/example-catalogue']);
  Object.assign(nxJson.plugins[0].options, {
    systems: { 'nerves_system_nbpr_example@0.1.0': { path: join(repoRoot, 'examples', 'systems', 'nerves_system_nbpr_example-portable-0.1.0') } },
    sites: [`oci-layout:${join(repoRoot, 'examples', 'registry')}`],
  });
  writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));
  assert.equal(nx('g', '@nbpr/nx-plugin:init', '--catalogue=@nbpr/example-catalogue').status, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8')), nxJson, 'init again changes nothing');

  const mixEnv = { MIX_HOME: join(ws, '.mix'), HEX_OFFLINE: '1', NBPR_MUONTRAP_PATH: join(repoRoot, 'test', 'fixtures', 'muontrap-stub'), NBPR_CACHE_DIR: join(ws, '.nbpr-store') };
  assert.equal(run('mix', ['new', 'my_app', '--sup'], ws, mixEnv).status, 0);
  const app = join(ws, 'my_app');
  // mix nerves.new's shape: targets, releases, an inline aliases list with loadconfig; without nerves
  // and nerves_bootstrap, which this machine cannot install (bootstrap/1 only loads the config).
  writeFileSync(
    join(app, 'mix.exs'),
    `defmodule MyApp.MixProject do
  use Mix.Project

  @app :my_app
  @version "0.1.0"
  @all_targets [:rpi4]

  def project do
    [
      app: @app,
      version: @version,
      elixir: "~> 1.14",
      archives: [],
      start_permanent: Mix.env() == :prod,
      deps: deps(),
      releases: [{@app, release()}],
      preferred_cli_target: [run: :host, test: :host],
      aliases: [loadconfig: [&bootstrap/1]]
    ]
  end

  def bootstrap(args) do
    Mix.Task.run("loadconfig", args)
  end

  def application do
    [extra_applications: [:logger], mod: {MyApp.Application, []}]
  end

  defp deps do
    [
      # Dependencies for all targets except :host
      # {:nerves_runtime, "~> 0.13", targets: @all_targets},
    ]
  end

  def release do
    [overwrite: true, include_erts: &Nerves.Release.erts/0, steps: [&Nerves.Release.init/1, :assemble]]
  end
end
`,
  );
  mkdirSync(join(app, 'config'));
  writeFileSync(join(app, 'config', 'config.exs'), 'import Config\n');
  writeFileSync(join(app, 'config', 'target.exs'), 'import Config\n\nconfig :nerves, :firmware, rootfs_overlay: "rootfs_overlay"\n');
  const wired = nx('g', '@nbpr/nx-plugin:nerves-app', 'my_app', '--packages=nbpr-hello,nbpr-heartbeat');
  assert.equal(wired.status, 0, wired.output);
  const mixExs = readFileSync(join(app, 'mix.exs'), 'utf8');
  assert.match(mixExs, /\{:nbpr_runtime, path: "\.\.\/dist\/my_app\/nbpr_runtime"\}/);
  assert.match(mixExs, /aliases: \["deps\.get": \[&nbpr_stage\/1, "deps\.get"\], compile: \[&nbpr_stage\/1, "compile"\], loadconfig: \[&bootstrap\/1\]\]/);
  assert.match(mixExs, /# \{:nerves_runtime, "~> 0\.13", targets: @all_targets\},/, "the user's lines are kept");
  assert.match(readFileSync(join(app, 'config', 'target.exs'), 'utf8'), /rootfs_overlay: \["rootfs_overlay", "\.\.\/dist\/my_app\/nbpr_runtime\/rootfs_overlay"\]/);
  assert.ok(existsSync(join(app, 'nbpr.firmware.json')), 'a firmware profile next to mix.exs');
  assert.equal(nx('g', '@nbpr/nx-plugin:nerves-app', 'my_app', '--packages=nbpr-hello,nbpr-heartbeat').status, 0);
  assert.equal(readFileSync(join(app, 'mix.exs'), 'utf8'), mixExs, 'the generator again changes nothing');

  // The developer supervises the daemon in their own application.
  const application = join(app, 'lib', 'my_app', 'application.ex');
  writeFileSync(application, readFileSync(application, 'utf8').replace(/children = \[\n/, 'children = [\n      {NBPR.NbprHeartbeat.NbprHeartbeat, interval: 1, message: "from-my-app"},\n'));
  const compiled = run('mix', ['compile'], app, mixEnv);
  assert.equal(compiled.status, 0, compiled.output);
  assert.match(compiled.output, /Successfully ran target stage for project my_app/, 'compile staged the firmware first');
  assert.ok(existsSync(join(ws, 'dist', 'my_app', 'nbpr_runtime', 'priv', 'nbpr-hello', 'usr', 'bin', 'nbpr-hello')));
  const script = [
    '{out, 0} = System.cmd("nbpr-hello", ["world"])',
    'IO.puts("hello: " <> out)',
    '[{_, pid, _, _}] = Enum.filter(Supervisor.which_children(MyApp.Supervisor), fn {id, _, _, _} -> id == NBPR.NbprHeartbeat.NbprHeartbeat end)',
    'IO.puts("daemon os pid: #{MuonTrap.Daemon.os_pid(pid)}")',
  ].join('; ');
  const ran = run('mix', ['run', '-e', script], app, mixEnv);
  assert.equal(ran.status, 0, ran.output);
  assert.match(ran.output, /hello: Hello from .*\/priv\/nbpr-hello: world/);
  assert.match(ran.output, /daemon os pid: \d+/);
});
