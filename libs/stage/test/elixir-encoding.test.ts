import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from '@nbpr/model';
import { daemonTemplate } from '../src/daemon-template';
import { exString, exTerm } from '../src/elixir-names';
import { tempDir } from '../../../test/support/temp';

// Generated Elixir holds catalogue strings only through a total encoding: compiled by Debian's
// Elixir, every hostile string comes back unchanged and no code of it runs.

const marker = () => join(tempDir(), 'pwned');
const hostile = (m: string) => [
  `"""\nend\nFile.write!(${JSON.stringify(m)}, "x")\ndefmodule X do\n@moduledoc """`,
  `#{File.write!(${JSON.stringify(m)}, "y")}`,
  'quotes " \' ` and \\ backslashes \\" \\\\',
  'new\nlines\r\n\ttabs \u0000 NUL \u0007 bell',
  "héllo ✓ 🚀 \u202e right-to-left",
  '~s(sigil) ?a :atom @attr &fun/1 %{map} <<1>>',
];

function elixir(dir: string, file: string, script: string): { status: number | null; out: string } {
  const compiled = spawnSync('elixirc', ['--ignore-module-conflict', '-o', dir, file], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(compiled.status, 0, compiled.stderr);
  const run = spawnSync('elixir', ['-pa', dir, '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(run.status, 0, run.stderr);
  return { status: run.status, out: run.stdout };
}

const decodeLines = (out: string) => out.trim().split('\n').map((hex) => Buffer.from(hex, 'hex').toString('utf8'));

test('exString and exTerm are total: every string, hostile or not, compiles back to itself', () => {
  const m = marker();
  const strings = [...hostile(m), '', 'plain', '#', '"', '\\', '#{', '\u{10FFFF}'];
  const dir = tempDir();
  const file = join(dir, 'strings.ex');
  writeFileSync(file, `defmodule NbprEncodingProbe do\n  def strings, do: ${exTerm(strings)}\n  def map, do: ${exTerm({ [strings[0]]: strings[1], plain_key: strings[2] })}\nend\n`);
  const { out } = elixir(dir, file, 'Enum.each(NbprEncodingProbe.strings(), &IO.puts(Base.encode16(&1))); IO.puts(Base.encode16(Map.fetch!(NbprEncodingProbe.map(), String.to_atom(hd(NbprEncodingProbe.strings())))))');
  assert.deepEqual(decodeLines(out), [...strings, strings[1]]);
  assert.equal(spawnSync('test', ['-e', m]).status, 1, 'no code from a string ran');
  const inner = exString(strings.join('')).slice(1, -1);
  assert.doesNotMatch(inner, /["#\n\r\0]|\\(?!u\{[0-9A-F]+\})/, 'no character with a meaning in a literal is left unescaped');
});

test('a daemon module built from hostile catalogue strings compiles, runs none of them, and returns each unchanged', () => {
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
  const file = join(dir, 'daemon.ex');
  writeFileSync(file, daemonTemplate('hostile-pkg', 'hostile', daemon));
  const { out } = elixir(dir, file, [
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
