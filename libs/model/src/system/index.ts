export * from './dot-config';
export * from './system-id';
export * from './locate-system';
export * from './read-system';
