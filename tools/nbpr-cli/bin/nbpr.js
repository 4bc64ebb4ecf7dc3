#!/usr/bin/env node
'use strict';
// The workspace runs its TypeScript sources directly (no build step), as Nx does for the plugin.
const { join } = require('node:path');
process.env.SWC_NODE_PROJECT ??= join(__dirname, '..', '..', '..', 'tsconfig.json');
require('@swc-node/register');
require('../src/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
