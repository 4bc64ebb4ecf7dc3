export { stageFirmware, stagePackage } from './stage-firmware';
export { type StagedPackage } from './staged-package';
