#!/usr/bin/env node
'use strict';
// The workspace runs its TypeScript sources directly (no build step), as Nx does for the plugin.
require('../../register-typescript');
require('../src/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
