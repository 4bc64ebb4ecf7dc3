export { buildCatalogueSite } from './catalogue-site';
export { ciPlan, ciSystems } from './ci-plan';
export { conflictCheck } from './conflict-check';
export { fetchOrBuild } from './fetch-or-build';
export { ProjectSession, RunLoads } from './project-session';
export { publish } from './publish';
export { runStage, type StageName, stagesUpTo } from './stages';
