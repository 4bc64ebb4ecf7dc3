export * from './staged-package';
export * from './system-files';
export * from './checks';
export * from './elixir-names';
export * from './runtime-templates';
export * from './daemon-template';
export * from './stage-firmware';
