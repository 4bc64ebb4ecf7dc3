export { readBuildrootFacts } from './buildroot-facts';
export { wireMixExs, wireTargetConfig } from './nerves-app';
export { checkKnownPackages, checkNewName, type FileMap, firmwareFiles, mainlinePackageFiles, skeletonPackageFiles, vendoredPackageFiles } from './package-files';
