export * from './fetch-or-build';
