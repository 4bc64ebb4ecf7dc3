import type { Tree } from '@nx/devkit';
import { checkNewName, mainlinePackageFiles, readBuildrootFacts, skeletonPackageFiles, vendoredPackageFiles } from '@nbpr/scaffold';
import { withNbprErrors } from '../generator-errors';
import { packageNames, writeFiles } from '../tree-files';

export interface PackageGeneratorOptions {
  name: string;
  buildrootDir?: string;
  vendored?: boolean;
  targets?: string[];
}

export default async function packageGenerator(tree: Tree, options: PackageGeneratorOptions): Promise<void> {
  await withNbprErrors(() => {
    const existing = packageNames(tree);
    checkNewName(options.name, existing);
    const targets = options.targets ?? ['nerves_system_rpi4'];
    const buildroot = options.buildrootDir ?? process.env.NBPR_BUILDROOT_DIR;
    const files = options.vendored
      ? vendoredPackageFiles(options.name)
      : buildroot
        ? mainlinePackageFiles(options.name, readBuildrootFacts(buildroot, options.name), existing, targets)
        : skeletonPackageFiles(options.name, targets);
    writeFiles(tree, files);
  });
}
