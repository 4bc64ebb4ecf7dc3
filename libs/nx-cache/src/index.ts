export * from './cache-server';
