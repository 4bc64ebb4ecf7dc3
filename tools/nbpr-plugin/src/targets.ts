import { isAbsolute } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { PluginOptions, TrustOptions } from '@nbpr/model';

/**
 * NBPR's own code, hashed into every target: Nx does not hash executor or library code by
 * itself, and an NBPR change can change what a target produces.
 */
const NBPR_CODE = [
  '{workspaceRoot}/libs/*/src/**/*',
  '{workspaceRoot}/libs/*/schemas/**/*',
  '{workspaceRoot}/libs/*/package.json',
  '{workspaceRoot}/tools/nbpr-plugin/src/**/*',
  '{workspaceRoot}/tools/nbpr-plugin/*.json',
  '{workspaceRoot}/tools/nbpr-cli/src/**/*',
];

/**
 * Every NBPR target runs one stage through one executor, so that Nx runs all the NBPR tasks of
 * a run in one batch process (as @nx/gradle runs Gradle tasks) instead of forking one per task.
 */
const PIPELINE_EXECUTOR = '@nbpr/nx-plugin:pipeline';

/** The runtime input (a command) and file inputs that identify the systems of a run. */
export interface SystemInputs {
  runtime: string;
  files: string[];
}

/**
 * How Nx knows which systems a run can be for (app, version, Buildroot, .config sha256): the
 * active one and every system a firmware profile of the workspace pins. Every target carries
 * the same inputs, so Nx works them out once per invocation, not once per system.
 *
 * When each of those systems is a directory of the workspace (nx.json `path`), its files are
 * file inputs, and with neither NBPR_SYSTEM nor NERVES_SYSTEM set nothing else can choose
 * another system: the runtime input is then an `echo`, and Nx starts no process for it (a
 * node process is a third of a fully cached run). Otherwise `nbpr system-id` prints what it
 * finds on the machine. The ids match the schema's app@version pattern and the paths are
 * checked the same way: no character the shell reads.
 */
export function systemInputs(pinnedSystems: readonly string[], options: Pick<PluginOptions, 'defaultSystem' | 'systems'>): SystemInputs {
  const node = ['node tools/nbpr-cli/bin/nbpr.js system-id', ...[...new Set(pinnedSystems)].sort().map((s) => `--system ${s}`)].join(' ');
  const ids = [...new Set([options.defaultSystem, ...pinnedSystems])].sort();
  const dirs = ids.map((id) => options.systems?.[id]?.path);
  const inWorkspace = dirs.every((dir): dir is string => dir !== undefined && !isAbsolute(dir) && !dir.split(/[\\/]/).includes('..') && /^[A-Za-z0-9._/@+-]+$/.test(dir));
  if (!inWorkspace) return { runtime: node, files: [] };
  return { runtime: `test -z "$NBPR_SYSTEM$NERVES_SYSTEM" && echo ${ids.join(',')} || ${node}`, files: dirs.map((dir) => `{workspaceRoot}/${dir.replace(/\/+$/, '')}/**/*`) };
}

export function packageResolveTarget(keyInputs: string, vendored: boolean, systems: SystemInputs): TargetConfiguration {
  return {
    executor: PIPELINE_EXECUTOR,
    cache: true,
    inputs: [
      ...(vendored ? ['{projectRoot}/buildroot/**/*'] : []),
      { env: 'NBPR_SYSTEM' },
      { runtime: systems.runtime },
      ...systems.files,
      ...NBPR_CODE,
    ],
    outputs: ['{workspaceRoot}/dist/{projectRoot}/resolved.json'],
    options: { stage: 'resolve', keyInputs },
    metadata: { description: 'Resolve options, kconfig, cache key and tag for the active Nerves system', technologies: ['nbpr'] },
  };
}

export function firmwareResolveTarget(keyInputs: string, vendoredDependencies: string[], systems: SystemInputs): TargetConfiguration {
  return {
    executor: PIPELINE_EXECUTOR,
    cache: true,
    inputs: [
      // A task's hash does not include its dependencies' hashes: repeat their tree inputs here.
      ...vendoredDependencies.map((root) => `{workspaceRoot}/${root}/buildroot/**/*`),
      { env: 'NBPR_SYSTEM' },
      { runtime: systems.runtime },
      ...systems.files,
      ...NBPR_CODE,
    ],
    outputs: ['{workspaceRoot}/dist/{projectRoot}/resolved.json'],
    options: { stage: 'resolve', keyInputs },
    metadata: { description: "Resolve every package of the firmware with the profile's overrides", technologies: ['nbpr'] },
  };
}

/**
 * The stages after resolve, cached on the same inputs as resolve (the key's): their results
 * are functions of the keys. Their outputs live in dist/; the artefacts themselves live in the
 * local store, and every stage that reads them makes sure of them first (a store hit, or a
 * fetch when Nx restored a record on a machine whose store lacks them).
 */
function keyedStage(resolve: TargetConfiguration, stage: string, dependsOn: string, outputs: string[], description: string, keyInputs: string): TargetConfiguration {
  return { executor: PIPELINE_EXECUTOR, cache: true, dependsOn: [dependsOn], inputs: resolve.inputs, outputs, options: { stage, keyInputs }, metadata: { description, technologies: ['nbpr'] } };
}

export function conflictCheckTarget(resolve: TargetConfiguration, keyInputs: string): TargetConfiguration {
  return keyedStage(resolve, 'conflict-check', 'resolve', [], "Fail before fetching or building when the selection's Buildroot demands, its artefacts and the system disagree", keyInputs);
}

/**
 * What fetch-or-build accepts also depends on nx.json's trust section: Nx runs every task
 * again when nx.json changes (a stricter policy), and the trusted keys' files are inputs (a
 * key replaced in place), so the fetch runs again instead of restoring what an older policy
 * let in. Key files outside the workspace cannot be Nx inputs.
 */
export function fetchOrBuildTarget(resolve: TargetConfiguration, keyInputs: string, trust: TrustOptions = {}): TargetConfiguration {
  const target = keyedStage(resolve, 'fetch-or-build', 'conflict-check', ['{workspaceRoot}/dist/{projectRoot}/fetched.json'], 'Get the artefact of each resolved package: local store, sites in order (checked by the trust policy), else a Buildroot source build', keyInputs);
  const keyFiles = (trust.keys ?? []).filter((k) => !isAbsolute(k)).map((k) => `{workspaceRoot}/${k}`);
  return { ...target, inputs: [...(resolve.inputs ?? []), ...keyFiles] };
}

export function licenceAggregateTarget(resolve: TargetConfiguration, keyInputs: string): TargetConfiguration {
  return keyedStage(resolve, 'licence-aggregate', 'fetch-or-build', ['{workspaceRoot}/dist/{projectRoot}/legal-info', '{workspaceRoot}/dist/{projectRoot}/sbom.spdx.json', '{workspaceRoot}/dist/{projectRoot}/sbom.cdx.json'], "The firmware's legal-info/ (system + artefacts) and its SPDX 2.3 and CycloneDX 1.6 SBOMs", keyInputs);
}

export function firmwareStageTarget(resolve: TargetConfiguration, keyInputs: string): TargetConfiguration {
  return keyedStage(resolve, 'stage', 'licence-aggregate', ['{workspaceRoot}/dist/{projectRoot}/nbpr_runtime'], 'The nbpr_runtime Mix project a Nerves project adds as a path dependency', keyInputs);
}

export function packageStageTarget(resolve: TargetConfiguration, keyInputs: string): TargetConfiguration {
  return keyedStage(resolve, 'stage', 'fetch-or-build', ['{workspaceRoot}/dist/{projectRoot}/stage'], "The package's files in the priv layout, and its rootfs files", keyInputs);
}

/** Publishing talks to a registry: it is never cached, and it is immutable by itself. */
export function publishTarget(keyInputs: string): TargetConfiguration {
  return {
    executor: PIPELINE_EXECUTOR,
    cache: false,
    dependsOn: ['fetch-or-build'],
    options: { stage: 'publish', keyInputs },
    metadata: { description: "Publish the package's artefact to the project's registry (immutable)", technologies: ['nbpr'] },
  };
}

/** The catalogue as a static site, rebuilt only when a package's metadata or NBPR changes. */
export function catalogueSiteTarget(): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    cache: true,
    inputs: ['{workspaceRoot}/packages/*/nbpr.json', '{workspaceRoot}/examples/packages/*/nbpr.json', '{workspaceRoot}/nx.json', ...NBPR_CODE],
    outputs: ['{workspaceRoot}/dist/catalogue-site'],
    options: { command: 'node tools/nbpr-cli/bin/nbpr.js site dist/catalogue-site', cwd: '{workspaceRoot}' },
    metadata: { description: 'The catalogue as a static site: index with search and filters, a page per package', technologies: ['nbpr'] },
  };
}
