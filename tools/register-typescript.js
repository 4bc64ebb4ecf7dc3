'use strict';
// Compiles the workspace's TypeScript on require with @swc/core alone, for the nbpr CLI and the
// Nx plugin's entry points. @swc-node/register does the same but loads the TypeScript compiler to
// read tsconfig (~250 ms), and every Nx invocation starts several processes that load NBPR (the
// graph build, `nbpr system-id` as a runtime input, the batch process): start-up time is Nx time.
//
// Compiled files are kept in node_modules/.cache/nbpr-typescript, named by the hash of the
// compiler's version, its options and the source, so an edit is always recompiled. Source maps
// are inlined only when Node was asked to use them (--enable-source-maps): unasked, they triple
// the code Node parses and show in no stack trace.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { addHook } = require('pirates');

const options = {
  sourceMaps: process.sourceMapsEnabled ? 'inline' : false,
  module: { type: 'commonjs' },
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
};
const cacheDir = join(__dirname, '..', 'node_modules', '.cache', 'nbpr-typescript');
const compilerId = `${require('@swc/core/package.json').version}\0${JSON.stringify(options)}`;

function compile(code, filename) {
  const digest = createHash('sha256').update(compilerId).update('\0').update(filename).update('\0').update(code).digest('hex');
  const cached = join(cacheDir, `${digest}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {}
  // Loaded on the first miss only: with a warm cache a process never loads the compiler.
  const output = require('@swc/core').transformSync(code, { ...options, filename }).code;
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Another process may compile the same file at once: each writes its own temp file and the
    // rename is atomic, so a reader never sees half a file.
    const temp = `${cached}.${process.pid}.tmp`;
    writeFileSync(temp, output);
    renameSync(temp, cached);
  } catch {
    // A read-only install still runs, compiling each time.
  }
  return output;
}

addHook(compile, { exts: ['.ts'], ignoreNodeModules: true });
