'use strict';
// Nx's entry points for the plugin are JavaScript so that Nx does not register its own
// TypeScript compiler (swc-node, which loads the TypeScript compiler to read tsconfig, about
// 0.3 s in each process that loads the plugin: the graph build, its plugin worker and the
// batch process). register-typescript compiles the sources with @swc/core alone, and stays
// registered, so what the sources require on use loads too. The packed plugin is compiled.
require('../../register-typescript');
module.exports = require('../src/index.ts');
