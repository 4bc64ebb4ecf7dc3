#!/usr/bin/env node
// Packs NBPR for use in another Nx workspace: the Nx plugin, the nbpr CLI and their libs, each
// with its TypeScript compiled to CommonJS (an installed package cannot rely on the workspace's
// on-the-fly compilation), and the catalogue as @nbpr/catalogue (packages/) and
// @nbpr/example-catalogue (examples/packages/). Writes the npm tarballs into <out dir>.
//
//   node scripts/pack.mjs <out dir>
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/pack.mjs <out dir>');
  process.exit(2);
}
const swc = createRequire(join(root, 'package.json'))('@swc/core');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
mkdirSync(out, { recursive: true });
const staging = mkdtempSync(join(tmpdir(), 'nbpr-pack-'));

const files = (dir) => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
const pack = (dir) => {
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  console.log(join(out, tarball));
};

try {
  const sources = [...readdirSync(join(root, 'libs'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(root, 'libs', d.name)), join(root, 'tools', 'nbpr-plugin'), join(root, 'tools', 'nbpr-cli')];
  for (const source of sources) {
    const dir = join(staging, relative(root, source));
    cpSync(source, dir, { recursive: true, filter: (src) => !/\/(test|node_modules)(\/|$)/.test(src.slice(source.length)) });
    for (const file of files(dir).filter((f) => f.endsWith('.ts'))) {
      const { code } = swc.transformFileSync(file, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: false });
      writeFileSync(file.replace(/\.ts$/, '.js'), code);
      rmSync(file);
    }
    for (const name of ['package.json', 'executors.json', 'generators.json']) {
      const path = join(dir, name);
      try {
        writeFileSync(path, readFileSync(path, 'utf8').replace(/(\.\/src\/[^"]*)\.ts"/g, '$1.js"'));
      } catch {}
    }
    // The workspace's JavaScript entry points register its on-the-fly compiler and require
    // TypeScript sources: packed, they require the compiled files.
    for (const entry of ['bin', 'entry'].flatMap((d) => { try { return files(join(dir, d)); } catch { return []; } })) {
      writeFileSync(entry, readFileSync(entry, 'utf8').replace("require('../../register-typescript');\n", '').replace(/\.ts'\)/g, ".js')"));
    }
    pack(dir);
  }
  for (const [name, from, description] of [
    ['@nbpr/catalogue', 'packages', "NBPR's catalogue: one Buildroot package per directory (nbpr.json)"],
    ['@nbpr/example-catalogue', join('examples', 'packages'), "NBPR's example packages (nbpr-hello, nbpr-heartbeat)"],
  ]) {
    const dir = join(staging, name.replace('/', '-'));
    cpSync(join(root, from), dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, description, license: 'Apache-2.0', private: true }, null, 2) + '\n');
    pack(dir);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
