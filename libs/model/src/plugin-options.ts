import { isAbsolute, join } from 'node:path';
import { NbprError } from './errors';
import { readJsonSource, type JsonSource } from './json-file';
import { validateSource } from './schema/validate';
import { pluginEntry } from './project-files';

/** The options of @nbpr/nx-plugin in nx.json. */
export interface PluginOptions {
  defaultSystem: string;
  systems?: Record<string, SystemSource>;
  registry?: string;
  sites?: string[];
  publishAfterBuild?: boolean;
  catalogues?: string[];
  trust?: TrustOptions;
}

/** nx.json's trust section: the keys whose signatures fetch accepts, and what it does without one. */
export interface TrustOptions {
  policy?: 'require' | 'warn' | 'off';
  keys?: string[];
}

/**
 * What nx.json says of one system (plugins -> @nbpr/nx-plugin -> options.systems["app@version"]):
 * an artefact directory of its own, or where its release comes from when it is not on the machine.
 */
export interface SystemSource {
  /** Artefact directory, relative to the workspace root or absolute: never downloaded. */
  path?: string;
  /** GitHub repository of its releases (owner/name); nerves-project/<app> by default. */
  github?: string;
  /** Nerves' artefact checksum (7 or 64 hex digits), which names the release file. */
  checksum?: string;
  /** The release file's URL, instead of a GitHub release. */
  url?: string;
  /** The release file's sha256. */
  sha256?: string;
}

export const PLUGIN_NAME = '@nbpr/nx-plugin';

/**
 * The plugin's options as the workspace's nx.json gives them, validated. Errors point at
 * nx.json's own lines (`nx.json:7:9 /plugins/0/options/defaultSytem: unknown key ...`).
 */
export function readPluginOptions(workspaceRoot: string): PluginOptions {
  const source = readNxJson(workspaceRoot);
  const entry = pluginEntry(nxJsonPlugins(source.value));
  const pointer = entry ? `/plugins/${entry.index}/options` : '';
  const options = entry?.options;
  if (options === undefined || options === null) {
    throw new NbprError(`${PLUGIN_NAME} has no options`, {
      code: 'nx-json/no-plugin-options',
      where: `nx.json ${pointer || '/plugins'}`,
      hint: `Write { "plugin": "${PLUGIN_NAME}", "options": { "defaultSystem": "<app>@<version>" } }.`,
    });
  }
  refuseCredentials(options as Record<string, unknown>, pointer);
  validateSource('pluginOptions', source, { value: options, pointer });
  return options as PluginOptions;
}

/**
 * nx.json is committed, and Nx copies it into .nx/workspace-data before any plugin runs: a
 * registry address with user:password@ is refused before the schema (whose message would quote
 * it), redacted, with the way to delete Nx's copy.
 */
function refuseCredentials(options: Record<string, unknown>, pointer: string): void {
  const addresses: [string, unknown][] = [['registry', options.registry]];
  if (Array.isArray(options.sites)) options.sites.forEach((site, i) => addresses.push([`sites/${i}`, site]));
  for (const [at, address] of addresses) {
    if (typeof address !== 'string' || address.startsWith('oci-layout:') || !address.includes('@')) continue;
    throw new NbprError(`${at.replace('/', '[').replace(/(\d+)$/, '$1]')} holds credentials (${address})`, {
      code: 'nx-json/credentials',
      where: `nx.json ${pointer}/${at}`,
      hint: 'Name the registry as host[/namespace] and give credentials in the environment: NBPR_REGISTRY_USERNAME and NBPR_REGISTRY_TOKEN (or GITHUB_TOKEN for GHCR). Then run `nx reset`: Nx copied nx.json into .nx/workspace-data before NBPR could refuse it, and reset deletes that copy.',
    });
  }
}

/**
 * The plugin's options unvalidated, for hashing's `nbpr system-id`, which must stay quick and
 * reports any failure itself: the graph build has validated them.
 */
export function readUncheckedPluginOptions(workspaceRoot: string): unknown {
  return pluginEntry(nxJsonPlugins(readNxJson(workspaceRoot).value))?.options;
}

/** nx.json as Nx reads it: JSON with comments and trailing commas. */
function readNxJson(workspaceRoot: string): JsonSource {
  return readJsonSource(join(workspaceRoot, 'nx.json'), workspaceRoot, 'jsonc');
}

/** nx.json's plugin list; anything else there is Nx's to refuse. */
function nxJsonPlugins(nxJson: unknown): Array<string | { plugin: string; options?: unknown }> | undefined {
  const plugins = nxJson !== null && typeof nxJson === 'object' ? (nxJson as { plugins?: unknown }).plugins : undefined;
  return Array.isArray(plugins) ? plugins : undefined;
}

/** Absolute artefact directory configured for a system id, if any. */
export function configuredSystemPath(options: PluginOptions, id: string, workspaceRoot: string): string | undefined {
  const path = options.systems?.[id]?.path;
  if (path === undefined) return undefined;
  return isAbsolute(path) ? path : join(workspaceRoot, path);
}
