import { dirname, join, relative } from 'node:path';
import type { CreateNodes, CreateNodesContext, CreateNodesResult } from '@nx/devkit';
import { Catalogue, catalogueFiles, FIRMWARE_FILE, isProjectFile, loadFirmwareProfile, projectKind, NbprError, PACKAGE_FILE, readPluginOptions, type FirmwareProfile, type PluginOptions, type TrustOptions } from '@nbpr/model';
import { cachedProjects } from './create-nodes-cache';
import { firmwareKeyInputs, packageKeyInputs } from './key-inputs';
import { catalogueSiteTarget, systemInputs, conflictCheckTarget, fetchOrBuildTarget, firmwareResolveTarget, firmwareStageTarget, licenceAggregateTarget, packageResolveTarget, packageStageTarget, publishTarget, type SystemInputs } from './targets';

export const NBPR_FILES_GLOB = `**/{${PACKAGE_FILE},${FIRMWARE_FILE}}`;

/**
 * One Nx project per nbpr.json (package) and nbpr.firmware.json (firmware profile). All files
 * are read together: a package's target digest covers its dependency closure.
 */
export const createNodes: CreateNodes<PluginOptions> = [
  NBPR_FILES_GLOB,
  async (files, options, context) => {
    try {
      const projectFiles = files.filter(isProjectFile);
      return await cachedProjects(projectFiles, options, context.workspaceRoot, () => inferProjects(projectFiles, context));
    } catch (error) {
      throw asNxError(error);
    }
  },
];

/** The options come from nx.json itself (the same ones Nx hands over) so that errors point at its lines. */
function inferProjects(files: readonly string[], context: CreateNodesContext): Array<readonly [string, CreateNodesResult]> {
  const root = context.workspaceRoot;
  const valid = readPluginOptions(root);
  const packageFiles = files.filter((f) => projectKind(f) === 'package').map((f) => join(root, f));
  // Installed catalogues' packages can be named by firmware profiles; they are no projects here.
  const catalogue = Catalogue.load([...packageFiles, ...catalogueFiles(valid.catalogues, root)], root);
  const own = new Set(packageFiles);
  const firmwareFiles = files.filter((f) => projectKind(f) === 'firmware');
  const firmwares = firmwareFiles.map((file) => ({ file, firmware: loadFirmwareProfile(join(root, file), root) }));
  const systems = systemInputs(firmwares.map(({ firmware }) => firmware.metadata.system), valid);
  const results: Array<readonly [string, CreateNodesResult]> = [];
  for (const name of catalogue.names().filter((n) => own.has(catalogue.get(n).path))) {
    const manifest = catalogue.get(name);
    const file = relative(root, manifest.path);
    const projectRoot = dirname(file);
    results.push([
      file,
      {
        projects: {
          [projectRoot]: {
            name,
            root: projectRoot,
            projectType: 'library',
            tags: ['nbpr:package'],
            metadata: { description: manifest.metadata.description, nbpr: { kind: 'package', version: manifest.metadata.version } },
            targets: packageTargets(packageKeyInputs(catalogue, name), manifest.externalTree !== null, systems, valid.trust),
          },
        },
      },
    ]);
  }
  // The catalogue's own project, in a workspace that holds it (packages/): its static site.
  const catalogueFile = files.find((f) => /^packages\/[^/]+\/nbpr\.json$/.test(f));
  if (catalogueFile) {
    results.push([catalogueFile, { projects: { packages: { name: 'nbpr-catalogue', root: 'packages', projectType: 'library', tags: ['nbpr:catalogue'], targets: { site: catalogueSiteTarget() } } } }]);
  }
  for (const { file, firmware } of firmwares) {
    const projectRoot = dirname(file);
    results.push([
      file,
      {
        projects: {
          [projectRoot]: {
            name: firmware.metadata.name,
            root: projectRoot,
            projectType: 'application',
            tags: ['nbpr:firmware'],
            metadata: { description: firmware.metadata.description, nbpr: { kind: 'firmware', system: firmware.metadata.system } },
            targets: firmwareTargets(firmwareKeyInputs(catalogue, firmware), vendoredRoots(catalogue, firmware, root), systems, valid.trust),
          },
        },
      },
    ]);
  }
  return results;
}

function packageTargets(keyInputs: string, vendored: boolean, systems: SystemInputs, trust: TrustOptions | undefined) {
  const resolve = packageResolveTarget(keyInputs, vendored, systems);
  return {
    resolve,
    'conflict-check': conflictCheckTarget(resolve, keyInputs),
    'fetch-or-build': fetchOrBuildTarget(resolve, keyInputs, trust),
    stage: packageStageTarget(resolve, keyInputs),
    publish: publishTarget(keyInputs),
  };
}

function firmwareTargets(keyInputs: string, vendoredDependencies: string[], systems: SystemInputs, trust: TrustOptions | undefined) {
  const resolve = firmwareResolveTarget(keyInputs, vendoredDependencies, systems);
  return {
    resolve,
    'conflict-check': conflictCheckTarget(resolve, keyInputs),
    'fetch-or-build': fetchOrBuildTarget(resolve, keyInputs, trust),
    'licence-aggregate': licenceAggregateTarget(resolve, keyInputs),
    stage: firmwareStageTarget(resolve, keyInputs),
  };
}

function vendoredRoots(catalogue: Catalogue, firmware: FirmwareProfile, root: string): string[] {
  const names = new Set<string>();
  for (const name of Object.keys(firmware.metadata.packages)) {
    if (!catalogue.has(name)) continue;
    names.add(name);
    for (const dep of catalogue.dependencyClosure(name)) names.add(dep);
  }
  return [...names]
    .sort()
    .map((n) => catalogue.get(n))
    .filter((m) => m.externalTree !== null)
    .map((m) => relative(root, m.dir));
}

/** Nx prints a thrown error's message; give it NBPR's formatted one, without a stack. */
export function asNxError(error: unknown): unknown {
  if (!(error instanceof NbprError)) return error;
  const nx = new Error(error.format());
  nx.stack = nx.message;
  return nx;
}
