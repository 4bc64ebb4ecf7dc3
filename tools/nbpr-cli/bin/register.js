'use strict';
// Compiles the workspace's TypeScript on require with @swc/core alone. @swc-node/register
// does the same but loads the TypeScript compiler to read tsconfig (~250 ms), and `nbpr
// system-id` runs on every Nx invocation as a runtime input: start-up time is hashing time.
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');

addHook(
  (code, filename) =>
    transformSync(code, {
      filename,
      sourceMaps: 'inline',
      module: { type: 'commonjs' },
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    }).code,
  { exts: ['.ts'], ignoreNodeModules: true },
);
