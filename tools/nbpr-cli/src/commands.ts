import { ArtefactStore, openStore } from '@nbpr/artefact';
import { activeSystemId, Catalogue, NbprError, systemIdentity, type PluginOptions } from '@nbpr/model';
import { loadSystem } from '@nbpr/nerves-artifacts';
import { fetchOrBuild, publish } from '@nbpr/pipeline';
import { resolvePackage } from '@nbpr/resolve';
import { verifyPublished, whyMiss, workspaceSites } from '@nbpr/sites';
import { trustPolicy } from '@nbpr/trust';
import { join } from 'node:path';
import { projectFile, projectFiles } from './project-files';
import { findWorkspace } from './workspace';

export interface Command {
  usage: string;
  help: string;
  run(args: string[]): Promise<number>;
}

export function positional(args: string[], what: string): string {
  const value = args.find((a) => !a.startsWith('-'));
  if (!value) throw new NbprError(`missing ${what}`, { code: 'cli/missing-argument', hint: 'Run with --help for the usage.' });
  return value;
}

/** A package of the workspace resolved for the active system (NBPR_SYSTEM, else defaultSystem). */
async function resolveForActiveSystem(root: string, options: PluginOptions, name: string) {
  const catalogue = Catalogue.load(projectFiles(root, options).packages, root);
  const system = await loadSystem(activeSystemId(options), options, root);
  return { catalogue, system, resolved: await resolvePackage({ catalogue, system: systemIdentity(system) }, name) };
}

/** The same, for a command about the package's artefact at its sites: a package skipped for the system has none. */
async function resolvedWithSites(root: string, options: PluginOptions, name: string) {
  const { catalogue, system, resolved } = await resolveForActiveSystem(root, options, name);
  if (resolved.status !== 'resolved') throw new NbprError(`${name} is skipped for ${system.id}: ${resolved.reason}`, { code: 'resolve/package-skipped' });
  return { resolved, sites: workspaceSites(options, root, {}, catalogue.get(name).metadata.sites) };
}

export const key: Command = {
  usage: 'nbpr key <package> [--json]',
  help: 'Resolves a package for the active system (NBPR_SYSTEM, else defaultSystem) and prints its cache key and tag; --json prints the key document too.',
  async run(args) {
    const { root, options } = findWorkspace();
    const name = positional(args, 'package name');
    const { resolved } = await resolveForActiveSystem(root, options, name);
    if (resolved.status === 'skipped') {
      console.log(`skipped ${name}: ${resolved.reason}`);
      return 0;
    }
    if (args.includes('--json')) console.log(JSON.stringify({ key: resolved.key, tag: resolved.tag, keyDocument: resolved.keyDocument }, null, 2));
    else console.log(`${resolved.key}  ${resolved.tag}`);
    return 0;
  },
};

export const fetch: Command = {
  usage: 'nbpr fetch <package|firmware>',
  help: 'fetch-or-build outside Nx: the artefacts of a package or of every package of a firmware, from the local store, the sites, or a source build.',
  async run(args) {
    const { root, options } = findWorkspace();
    const file = projectFile(root, positional(args, 'package or firmware name'));
    await fetchOrBuild({ workspaceRoot: root, file, packageFiles: projectFiles(root, options).packages, pluginOptions: options, outputFile: join(root, 'dist', 'nbpr-cli-fetched.json'), log: (l) => console.log(l) });
    return 0;
  },
};

export const publishCommand: Command = {
  usage: 'nbpr publish <package>',
  help: "Publishes a package's artefact (from the local store: run nbpr fetch first) to the project's registry. Immutable: same content is a no-op, other content under the same key is refused.",
  async run(args) {
    const { root, options } = findWorkspace();
    await publish({ workspaceRoot: root, file: projectFile(root, positional(args, 'package name')), packageFiles: projectFiles(root, options).packages, pluginOptions: options, log: (l) => console.log(l) });
    return 0;
  },
};

export const whyMissCommand: Command = {
  usage: 'nbpr why-miss <package>',
  help: "Compares the package's key document with those of its artefacts in the sites (same package, system) and says which inputs differ from the nearest one.",
  async run(args) {
    const { root, options } = findWorkspace();
    const { resolved, sites } = await resolvedWithSites(root, options, positional(args, 'package name'));
    for (const line of await whyMiss(resolved, sites)) console.log(line);
    return 0;
  },
};

export const verifyCommand: Command = {
  usage: 'nbpr verify <package>',
  help: "Checks, at every site, who vouches for the package's artefact for the active system: its signature and provenance against the keys nx.json trusts, without downloading it. Exit 1 unless every artefact found is trusted.",
  async run(args) {
    const { root, options } = findWorkspace();
    const { resolved, sites } = await resolvedWithSites(root, options, positional(args, 'package name'));
    const { lines, trusted } = await verifyPublished(resolved, sites, trustPolicy(options.trust, root));
    for (const line of lines) console.log(line);
    return trusted ? 0 : 1;
  },
};

export const cache: Command = {
  usage: 'nbpr cache ls|clean',
  help: 'Lists the artefacts in the local store (NBPR_CACHE_DIR, else the Nerves data dir), or removes the store.',
  async run(args) {
    const store = openStore();
    const action = positional(args, 'ls or clean');
    if (action === 'ls') {
      const entries = await store.ls();
      for (const entry of entries) {
        console.log(`${entry.key.slice(0, 16)}  ${(entry.treeBytes / 1024).toFixed(0).padStart(8)} KiB  ${entry.tag ?? ''}  ${entry.source ?? ''}`);
      }
      // On stderr: stdout stays one line per artefact for scripts.
      if (entries.length === 0) console.error(`no artefacts in the store at ${store.root}`);
      return 0;
    }
    if (action === 'clean') {
      // Only what the store itself holds goes: a store directory set to the wrong place loses nothing else.
      const report = await store.clean();
      const mib = (report.bytes / 1024 / 1024).toFixed(1);
      console.log(`removed ${report.trees.length} artefact(s), ${report.blobs.length} blob(s) and ${report.leftovers.length} leftover(s) of dead runs (${mib} MiB) from ${store.root}`);
      if (report.busy.length > 0) console.log(`left ${report.busy.length} artefact(s) a running nbpr or Nx task holds: ${report.busy.map((k) => k.slice(0, 16)).join(', ')}`);
      return 0;
    }
    throw new NbprError(`unknown cache action '${action}'`, { code: 'cli/unknown-action', hint: 'Use nbpr cache ls or nbpr cache clean.' });
  },
};
