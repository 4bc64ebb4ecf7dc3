export * from './fetch-or-build';
export * from './conflict-check';
export * from './licence-aggregate';
export * from './stage';
export * from './publish';
export * from './project-input';
export * from './ci-plan';
export * from './stages';
export { ProjectSession, RunLoads } from './project-session';
