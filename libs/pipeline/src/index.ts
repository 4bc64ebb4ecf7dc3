export * from './fetch-or-build';
export * from './conflict-check';
