import type { TargetConfiguration } from '@nx/devkit';

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

/** The command whose output identifies the active system (app, version, Buildroot, .config sha256). */
export function systemIdentityCommand(system?: string): string {
  return `node tools/nbpr-cli/bin/nbpr.js system-id${system ? ` --system ${system}` : ''}`;
}

export function packageResolveTarget(keyInputs: string, vendored: boolean): TargetConfiguration {
  return {
    executor: '@nbpr/nx-plugin:resolve',
    cache: true,
    inputs: [
      ...(vendored ? ['{projectRoot}/buildroot/**/*'] : []),
      { env: 'NBPR_SYSTEM' },
      { runtime: systemIdentityCommand() },
      ...NBPR_CODE,
    ],
    outputs: ['{workspaceRoot}/dist/{projectRoot}/resolved.json'],
    options: { keyInputs },
    metadata: { description: 'Resolve options, kconfig, cache key and tag for the active Nerves system', technologies: ['nbpr'] },
  };
}

export function firmwareResolveTarget(keyInputs: string, system: string, vendoredDependencies: string[]): TargetConfiguration {
  return {
    executor: '@nbpr/nx-plugin:resolve',
    cache: true,
    inputs: [
      // A task's hash does not include its dependencies' hashes: repeat their tree inputs here.
      ...vendoredDependencies.map((root) => `{workspaceRoot}/${root}/buildroot/**/*`),
      { env: 'NBPR_SYSTEM' },
      { runtime: systemIdentityCommand(system) },
      ...NBPR_CODE,
    ],
    outputs: ['{workspaceRoot}/dist/{projectRoot}/resolved.json'],
    options: { keyInputs },
    metadata: { description: "Resolve every package of the firmware with the profile's overrides", technologies: ['nbpr'] },
  };
}

/**
 * Not cached by Nx: its result lives in the local artefact store, outside the workspace, and a
 * store hit is as fast as a cache hit. Nx caching it could restore a record of a tree this
 * machine does not have.
 */
export function fetchOrBuildTarget(keyInputs: string): TargetConfiguration {
  return {
    executor: '@nbpr/nx-plugin:fetch-or-build',
    cache: false,
    dependsOn: ['conflict-check'],
    options: { keyInputs },
    metadata: { description: 'Get the artefact of each resolved package: local store, else the sites in order', technologies: ['nbpr'] },
  };
}

/**
 * Not cached: besides the key inputs it reads the build facts of artefacts that may have
 * appeared in a registry since the last run; it is fast, and it must never be skipped.
 */
export function conflictCheckTarget(keyInputs: string): TargetConfiguration {
  return {
    executor: '@nbpr/nx-plugin:conflict-check',
    cache: false,
    dependsOn: ['resolve'],
    options: { keyInputs },
    metadata: { description: "Fail before fetching or building when the selection's Buildroot demands, its artefacts and the system disagree", technologies: ['nbpr'] },
  };
}

/** Reads the artefacts in the local store, outside the workspace: not cached, and quick. */
export function licenceAggregateTarget(keyInputs: string): TargetConfiguration {
  return {
    executor: '@nbpr/nx-plugin:licence-aggregate',
    cache: false,
    dependsOn: ['fetch-or-build'],
    options: { keyInputs },
    metadata: { description: "The firmware's legal-info/ (system + artefacts) and SPDX 2.3 SBOM", technologies: ['nbpr'] },
  };
}

/** Publishing talks to a registry: it is never cached, and it is immutable by itself. */
export function publishTarget(keyInputs: string): TargetConfiguration {
  return {
    executor: '@nbpr/nx-plugin:publish',
    cache: false,
    dependsOn: ['fetch-or-build'],
    options: { keyInputs },
    metadata: { description: "Publish the package's artefact to the project's registry (immutable)", technologies: ['nbpr'] },
  };
}
