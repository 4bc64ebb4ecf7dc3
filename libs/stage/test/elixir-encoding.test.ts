import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from '@nbpr/model';
import { BinaryKeyed, termToBinary, Tuple } from '../src/etf';
import { writeRuntimeProject } from '../src/runtime-project';
import { tempDir } from '../../../test/support/temp';

// No catalogue string is ever part of generated Elixir: the runtime reads them from an Erlang
// external term in priv/. Compiled by Debian's Elixir, every hostile string comes back
// unchanged and no code of it runs.

const marker = () => join(tempDir(), 'pwned');
const hostile = (m: string) => [
  `"""\nend\nFile.write!(${JSON.stringify(m)}, "x")\ndefmodule X do\n@moduledoc """`,
  `#{File.write!(${JSON.stringify(m)}, "y")}`,
  'quotes " \' ` and \\ backslashes \\" \\\\',
  'new\nlines\r\n\ttabs \u0000 NUL \u0007 bell',
  "héllo ✓ 🚀 \u202e right-to-left",
  '~s(sigil) ?a :atom @attr &fun/1 %{map} <<1>>',
];

function elixir(dir: string, files: string[], script: string): { status: number | null; out: string } {
  const compiled = spawnSync('elixirc', ['--ignore-module-conflict', '-o', join(dir, 'ebin'), ...files], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(compiled.status, 0, compiled.stderr);
  const run = spawnSync('elixir', ['-pa', join(dir, 'ebin'), '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(run.status, 0, run.stderr);
  return { status: run.status, out: run.stdout };
}

function elixirFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? elixirFiles(path) : name.endsWith('.ex') ? [path] : [];
  });
}

const decodeLines = (out: string) => out.trim().split('\n').map((hex) => Buffer.from(hex, 'hex').toString('utf8'));

test('the external term format is total: every string, hostile or not, and every shape comes back as written', () => {
  const m = marker();
  const strings = [...hostile(m), '', 'plain', '#', '"', '\\', '#{', '\u{10FFFF}'];
  const dir = tempDir();
  const data = { strings, keyed: new BinaryKeyed({ [strings[0]]: strings[1], plain: strings[2] }), tuple: new Tuple([strings[3], 7]), numbers: [0, 255, 256, -1, 2 ** 31 - 1], flags: [true, false, null] };
  writeFileSync(join(dir, 'data.etf'), termToBinary(data));
  const script = [
    `t = :erlang.binary_to_term(File.read!(${JSON.stringify(join(dir, 'data.etf'))}))`,
    'Enum.each(t.strings, &IO.puts(Base.encode16(&1)))',
    'IO.puts(Base.encode16(Map.fetch!(t.keyed, hd(t.strings))))',
    'IO.puts(inspect({elem(t.tuple, 1), t.numbers, t.flags, Map.keys(t.keyed) |> length()}))',
  ].join('; ');
  const run = spawnSync('elixir', ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.deepEqual(decodeLines(lines.slice(0, strings.length + 1).join('\n')), [...strings, strings[1]]);
  assert.equal(lines[strings.length + 1], '{7, [0, 255, 256, -1, 2147483647], [true, false, nil], 2}');
  assert.equal(spawnSync('test', ['-e', m]).status, 1, 'no code from a string ran');
});

test('a daemon module built from hostile catalogue strings compiles, runs none of them, and returns each unchanged', async () => {
  const m = marker();
  const [a, b, c, d, e, f] = hostile(m);
  const daemon: Daemon = {
    path: `usr/sbin/${d}`,
    description: a,
    foregroundArgs: [b, c],
    args: [e],
    options: {
      first: { type: 'string', flag: a, description: b, default: c },
      second: { type: 'string', flag: `--${f}`, joined: true, description: e, default: d, values: [d, a] },
      third: { type: 'boolean', flag: b, description: `${c}${d}`, default: true },
    },
  } as Daemon;
  const dir = tempDir();
  await writeRuntimeProject(dir, [{ name: 'hostile-pkg', version: a, binDirs: [], libDirs: [], runtimeEnv: { HOSTILE: b }, kernelModules: [], daemons: { hostile: daemon } }]);
  const { out } = elixir(dir, elixirFiles(join(dir, 'lib')), [
    'mod = NBPR.HostilePkg.Hostile',
    '{:docs_v1, _, _, _, %{"en" => doc}, _, _} = Code.fetch_docs(mod)',
    'IO.puts(Base.encode16(doc))',
    'Enum.each(mod.argv([]), &IO.puts(Base.encode16(&1)))',
  ].join('; '));
  const [doc, ...argv] = decodeLines(out);
  for (const text of [a, b, e, `${c}${d}`, daemon.path]) assert.ok(doc.includes(text), `the moduledoc holds ${JSON.stringify(text)} unchanged`);
  assert.deepEqual(argv, [b, c, e, a, c, `--${f}=${d}`, b], 'foreground flags, args, then each option flag with its default');
  assert.equal(spawnSync('test', ['-e', m]).status, 1, 'no code from the catalogue ran at compile or run time');
});
