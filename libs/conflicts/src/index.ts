export { bundledChoiceGroups, choiceGroupsFromTrees } from './choice-groups';
export { artefactDemands, selectionDemands } from './demands';
export { detectConflicts, formatConflicts } from './detect';
export { policyViolations } from './licence-policy';
