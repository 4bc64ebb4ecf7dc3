import type { Tree } from '@nx/devkit';
import { checkNewName, mainlinePackageFiles, readBuildrootFacts, skeletonPackageFiles, vendoredPackageFiles } from '@nbpr/scaffold';
import { isNbprError } from '@nbpr/model';
import { packageNames, writeFiles } from '../tree-files';

export interface PackageGeneratorOptions {
  name: string;
  buildrootDir?: string;
  vendored?: boolean;
  targets?: string[];
}

export default async function packageGenerator(tree: Tree, options: PackageGeneratorOptions): Promise<void> {
  try {
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
  } catch (error) {
    // Nx prints a generator's thrown message: make it NBPR's, without a stack.
    if (isNbprError(error)) {
      const plain = new Error(error.format());
      plain.stack = plain.message;
      throw plain;
    }
    throw error;
  }
}
