import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './support/reference';

/** Deprecation diagnostics TypeScript reports: "'{0}' is deprecated." and its signature form. */
const DEPRECATED = new Set([6385, 6387]);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

test("NBPR's Nx adapters use no API Nx marks deprecated (Nx 24's current names)", () => {
  const files = ['tools', 'libs'].flatMap((d) => sources(join(repoRoot, d))).filter((f) => /from '(@nx\/devkit|nx)(\/[^']*)?'/.test(readFileSync(f, 'utf8')));
  assert.ok(files.some((f) => f.includes('create-nodes.ts')), 'the plugin entry is among the files checked');
  const parsed = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.workspace.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => files,
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) => (ts.sys.fileExists(file) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(file)!) : undefined),
    getCurrentDirectory: () => repoRoot,
    getCompilationSettings: () => parsed.options,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host);
  const found = files.flatMap((file) =>
    service
      .getSuggestionDiagnostics(file)
      .filter((d) => DEPRECATED.has(d.code))
      .map((d) => `${relative(repoRoot, file)}:${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`),
  );
  assert.deepEqual(found, []);
});
