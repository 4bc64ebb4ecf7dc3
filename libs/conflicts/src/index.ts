export * from './choice-groups';
export * from './demands';
export * from './detect';
export * from './licence-policy';
