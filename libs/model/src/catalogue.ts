import { suggestion } from './did-you-mean';
import { NbprError, NbprErrors } from './errors';
import { errorAt, pointerOf } from './json-file';
import { loadPackageManifest, type PackageManifest } from './package-manifest';

/**
 * Every NBPR package of a workspace, checked as a whole: unique names, dependencies that
 * exist, and no dependency cycles. Loading reports every broken file at once.
 */
export class Catalogue {
  private constructor(readonly packages: ReadonlyMap<string, PackageManifest>) {}

  static load(paths: string[], cwd = process.cwd()): Catalogue {
    const problems: NbprError[] = [];
    const packages = new Map<string, PackageManifest>();
    for (const path of [...paths].sort()) {
      let manifest: PackageManifest;
      try {
        manifest = loadPackageManifest(path, cwd);
      } catch (error) {
        if (!(error instanceof NbprError)) throw error;
        problems.push(error);
        continue;
      }
      const existing = packages.get(manifest.metadata.name);
      if (existing) {
        problems.push(errorAt(manifest.source, '/name', 'catalogue/duplicate-package', `package '${manifest.metadata.name}' is already defined in ${existing.source.file}`, 'Package names must be unique across the workspace.'));
        continue;
      }
      packages.set(manifest.metadata.name, manifest);
    }
    const catalogue = new Catalogue(packages);
    problems.push(...catalogue.checkDependencies());
    if (problems.length > 0) throw problems.length === 1 ? problems[0] : new NbprErrors(problems);
    return catalogue;
  }

  has(name: string): boolean {
    return this.packages.has(name);
  }

  names(): string[] {
    return [...this.packages.keys()].sort();
  }

  /** The package, or an error naming the closest existing package. */
  get(name: string): PackageManifest {
    const manifest = this.packages.get(name);
    if (!manifest) throw new NbprError(`no NBPR package named '${name}'${suggestion(name, this.packages.keys())}`, { code: 'catalogue/unknown-package', hint: 'Packages are the nbpr.json files of this workspace and of the catalogues it installs.' });
    return manifest;
  }

  /** The package's NBPR dependencies, transitively, each after its own dependencies. */
  dependencyClosure(name: string): string[] {
    const order: string[] = [];
    const visit = (current: string) => {
      for (const dep of Object.keys(this.get(current).metadata.dependencies ?? {}).sort()) {
        if (order.includes(dep)) continue;
        visit(dep);
        order.push(dep);
      }
    };
    visit(name);
    return order;
  }

  private checkDependencies(): NbprError[] {
    const problems: NbprError[] = [];
    for (const manifest of this.packages.values()) {
      for (const dep of Object.keys(manifest.metadata.dependencies ?? {})) {
        if (!this.packages.has(dep)) {
          problems.push(
            errorAt(manifest.source, pointerOf('dependencies', dep), 'catalogue/unknown-dependency', `dependency on '${dep}', which is not an NBPR package of this workspace${suggestion(dep, this.packages.keys())}`, `Add packages/${dep}/nbpr.json (NBPR's package generator writes one) or fix the name.`),
          );
        }
      }
    }
    if (problems.length === 0) problems.push(...this.findCycles());
    return problems;
  }

  private findCycles(): NbprError[] {
    const problems: NbprError[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const reported = new Set<string>();
    const visit = (name: string) => {
      state.set(name, 'visiting');
      stack.push(name);
      for (const dep of Object.keys(this.packages.get(name)!.metadata.dependencies ?? {}).sort()) {
        if (state.get(dep) === 'visiting') {
          const cycle = [...stack.slice(stack.indexOf(dep)), dep];
          const id = [...cycle.slice(0, -1)].sort().join(',');
          if (!reported.has(id)) {
            reported.add(id);
            const from = this.packages.get(name)!;
            problems.push(errorAt(from.source, pointerOf('dependencies', dep), 'catalogue/dependency-cycle', `dependency cycle: ${cycle.join(' -> ')}`, 'NBPR packages must form a tree of dependencies: remove one of these dependencies.'));
          }
        } else if (!state.has(dep)) {
          visit(dep);
        }
      }
      stack.pop();
      state.set(name, 'done');
    };
    for (const name of this.names()) if (!state.has(name)) visit(name);
    return problems;
  }
}
