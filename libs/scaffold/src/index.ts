export { readBuildrootFacts } from './buildroot-facts';
export { checkKnownPackages, checkNewName, type FileMap, firmwareFiles, mainlinePackageFiles, skeletonPackageFiles, vendoredPackageFiles } from './package-files';
