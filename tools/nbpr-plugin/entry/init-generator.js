'use strict';
// See index.js: why the plugin's entry points are JavaScript.
require('../../register-typescript');
module.exports = require('../src/generators/init/generator.ts');
