export { createCacheServer } from './cache-server';
