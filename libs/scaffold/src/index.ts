export * from './buildroot-facts';
export * from './package-files';
