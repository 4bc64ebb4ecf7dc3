export { type Backend, chooseBackend } from './backend';
export { buildDir, buildFromSource, buildRootFor, sourceDateEpoch, usesNervesSystemBr } from './build-package';
export { checkCatalogue, defaultsOn, factsFromTree, readFactsFile } from './catalogue-facts';
export { downloadDir } from './nerves-toolchain';
export { type BuildrootTrees, nervesDataDir, obtainBuildroot } from './obtain-buildroot';
