import { NbprError } from '@nbpr/model';

export interface NervesAppWiring {
  /** The firmware profile's name: `nx run <firmware>:stage` stages it. */
  firmware: string;
  /** nbpr_runtime's directory, relative to the Mix project. */
  runtimePath: string;
  /** The Nx workspace root, relative to the Mix project. */
  workspacePath: string;
}

const MARK = '@nbpr/nx-plugin:nerves-app';

/** A string the generated Elixir can hold as it is: names and relative paths, nothing that could mean more. */
function plain(value: string, what: string): string {
  if (!/^[A-Za-z0-9_.:\/-]+$/.test(value)) throw new NbprError(`${what} ${JSON.stringify(value)} holds characters a Mix project path cannot`, { code: 'scaffold/invalid-path', hint: 'Use a directory name of letters, digits, ".", "_", "-" and "/".' });
  return `"${value}"`;
}

/**
 * A Nerves app's mix.exs with NBPR wired in, changing nothing the user wrote: nbpr_runtime
 * among its deps, and `deps.get` and `compile` (which `mix firmware` runs) staging the firmware's
 * NBPR packages first through an alias function. Running it again changes nothing.
 */
export function wireMixExs(source: string, wiring: NervesAppWiring): string {
  let text = source;
  const where = 'mix.exs';
  if (!/\{:nbpr_runtime\b/.test(text)) {
    const deps = text.match(/defp deps do\s*\n(\s*)\[\s*\n(\s*)/);
    if (!deps) throw new NbprError('cannot find `defp deps do [` to add nbpr_runtime to', { code: 'scaffold/unrecognised-mix-exs', where, hint: `Add {:nbpr_runtime, path: ${plain(wiring.runtimePath, 'the runtime path')}} to your deps yourself.` });
    const at = deps.index! + deps[0].length;
    text = `${text.slice(0, at)}{:nbpr_runtime, path: ${plain(wiring.runtimePath, 'the runtime path')}},\n${deps[2]}${text.slice(at)}`;
  }
  if (!/defp nbpr_stage\(/.test(text)) {
    const aliases = `"deps.get": [&nbpr_stage/1, "deps.get"], compile: [&nbpr_stage/1, "compile"]`;
    if (/^\s*(compile|"deps\.get"):/m.test(text)) {
      throw new NbprError('mix.exs already has a compile or deps.get alias', { code: 'scaffold/alias-exists', where, hint: 'Put &nbpr_stage/1 first in it yourself; the generator does not change aliases you wrote.' });
    }
    const inline = text.match(/aliases: \[/);
    const fn = text.match(/defp aliases do\s*\n(\s*)\[\s*\n(\s*)/);
    if (inline) text = text.replace(/aliases: \[/, `aliases: [${aliases}, `);
    else if (fn) text = text.replace(fn[0], `${fn[0]}${aliases},\n${fn[2]}`);
    else if (/deps: deps\(\)/.test(text)) text = text.replace(/(\n(\s*))deps: deps\(\)/, `$1aliases: [${aliases}],$1deps: deps()`);
    else throw new NbprError('cannot find where the project lists its deps (deps: deps())', { code: 'scaffold/unrecognised-mix-exs', where, hint: `Add aliases: [${aliases}] to project/0 yourself.` });
    const last = text.lastIndexOf('\nend');
    if (last < 0) throw new NbprError('mix.exs has no closing end', { code: 'scaffold/unrecognised-mix-exs', where });
    const stage = [
      '',
      `  # Added by ${MARK}: stages the firmware's NBPR packages`,
      '  # (nbpr_runtime) before deps.get and compile, so that `mix firmware` has them.',
      '  defp nbpr_stage(_args) do',
      `    workspace = Path.expand(${plain(wiring.workspacePath, 'the workspace path')}, __DIR__)`,
      `    args = ["nx", "run", ${plain(`${wiring.firmware}:stage`, 'the firmware name')}]`,
      '',
      '    case System.cmd("npx", args, cd: workspace, into: IO.stream(), stderr_to_stdout: true) do',
      '      {_, 0} -> :ok',
      '      {_, status} -> Mix.raise("NBPR stage failed (npx #{Enum.join(args, " ")}, exit #{status})")',
      '    end',
      '  end',
    ].join('\n');
    text = `${text.slice(0, last)}\n${stage}${text.slice(last)}`;
  }
  return text;
}

/**
 * A Nerves app's config/target.exs with the staged rootfs_overlay added to the firmware's
 * (the template's `rootfs_overlay: "rootfs_overlay"`); another form is left as it is, with a note.
 */
export function wireTargetConfig(source: string, overlayPath: string): { text: string; note?: string } {
  const overlay = plain(overlayPath, 'the overlay path');
  if (source.includes(overlay)) return { text: source };
  const single = /rootfs_overlay: ("[^"\n]*")/;
  if (single.test(source)) return { text: source.replace(single, `rootfs_overlay: [$1, ${overlay}]`) };
  return { text: source, note: `Add ${overlay} to your firmware's rootfs_overlay (config :nerves, :firmware, rootfs_overlay: [...]).` };
}
