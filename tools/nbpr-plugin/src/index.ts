export { createNodes } from './create-nodes';
export { createDependencies } from './create-dependencies';
