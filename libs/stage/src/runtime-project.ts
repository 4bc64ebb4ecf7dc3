import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Daemon } from '@nbpr/model';
import { daemonModule } from './elixir-names';
import { BinaryKeyed, termToBinary, Tuple, type Term } from './etf';

/** The Elixir of the nbpr_runtime Mix project: files beside this code, formatted as `mix format` wants them. */
const TEMPLATES = join(__dirname, '..', 'templates');

export interface RuntimePackage {
  name: string;
  version: string;
  binDirs: string[];
  libDirs: string[];
  runtimeEnv: Record<string, string>;
  kernelModules: string[];
  daemons: Record<string, Daemon>;
}

/**
 * Writes the runtime's source into `dir`: the project's own modules as they are, one module per
 * daemon (the template with the daemon's module name, the one thing that must be in source),
 * and everything the catalogue says in priv/nbpr_runtime.etf, which the modules read when the
 * project compiles. Returns the daemon modules' files.
 */
export async function writeRuntimeProject(dir: string, packages: RuntimePackage[]): Promise<string[]> {
  await cp(join(TEMPLATES, 'mix.exs'), join(dir, 'mix.exs'));
  await cp(join(TEMPLATES, '.formatter.exs'), join(dir, '.formatter.exs'));
  await cp(join(TEMPLATES, 'lib'), join(dir, 'lib'), { recursive: true });
  const daemonSource = await readFile(join(TEMPLATES, 'daemon.ex'), 'utf8');
  const daemons: Record<string, Term> = {};
  const files: string[] = [];
  for (const pkg of packages) {
    for (const [name, daemon] of Object.entries(pkg.daemons)) {
      const module = daemonModule(pkg.name, name);
      daemons[module] = daemonData(pkg.name, name, daemon);
      const file = join(dir, 'lib', 'nbpr', pkg.name.replace(/[-.]/g, '_'), `${name}.ex`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, daemonSource.replace(/^defmodule NBPR_DAEMON_MODULE do$/m, `defmodule ${module} do`));
      files.push(file);
    }
  }
  const data = {
    packages: packages.map((p) => ({
      name: p.name,
      version: p.version,
      bin_dirs: p.binDirs,
      lib_dirs: p.libDirs,
      runtime_env: Object.entries(p.runtimeEnv).map(([key, value]) => new Tuple([key, value])),
      kernel_modules: p.kernelModules,
    })),
    daemons: new BinaryKeyed(daemons),
  };
  await mkdir(join(dir, 'priv'), { recursive: true });
  await writeFile(join(dir, 'priv', 'nbpr_runtime.etf'), termToBinary(data));
  return files;
}

function daemonData(pkg: string, name: string, daemon: Daemon): Term {
  return {
    package: pkg,
    name,
    path: daemon.path,
    description: daemon.description,
    foreground: daemon.foregroundArgs ?? [],
    args: daemon.args ?? [],
    options: Object.entries(daemon.options ?? {}).map(([key, o]) => ({
      name: key,
      type: o.type,
      flag: o.flag,
      joined: o.joined ?? false,
      default: (o.default ?? null) as Term,
      required: o.required ?? false,
      values: o.values ?? null,
      description: o.description,
    })),
  };
}
