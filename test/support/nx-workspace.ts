import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { repoRoot } from './reference';
import { tempDir } from './temp';

/** What the tests copy of this repository into a temporary workspace. */
const WORKSPACE_ENTRIES = ['nx.json', '.env', 'package.json', 'tsconfig.workspace.json', '.gitignore', '.nxignore', 'libs', 'tools', 'packages', 'examples'];

/**
 * A temporary git workspace holding a copy of this repository's NBPR workspace, with
 * node_modules linked entry by entry to the real one except @nbpr/*, which point at the
 * copy: so Nx loads the copy's plugin and libs, and edits in the copy are what Nx sees.
 */
export function copyWorkspace(prefix = 'nbpr-ws-'): string {
  const dir = tempDir(prefix);
  populateWorkspace(dir);
  return dir;
}

/** copyWorkspace into a directory the caller owns (benchmarks, which run outside node:test). */
export function populateWorkspace(dir: string): void {
  for (const entry of WORKSPACE_ENTRIES) {
    cpSync(join(repoRoot, entry), join(dir, entry), {
      recursive: true,
      filter: (src) => !/\/(node_modules|dist|\.nx)(\/|$)/.test(src.slice(repoRoot.length)) && !/\/test$/.test(src) && !src.includes('/test/'),
    });
  }
  linkNodeModules(dir);
  git(dir, 'init', '-q', '-b', 'main');
  commitAll(dir, 'workspace');
}

export function commitAll(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=test@nbpr.invalid', '-c', 'user.name=NBPR test', 'commit', '-qm', message);
}

function linkNodeModules(dir: string): void {
  const real = join(repoRoot, 'node_modules');
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(real)) {
    if (entry === '@nbpr' || entry === '.bin') continue;
    symlinkSync(join(real, entry), join(modules, entry));
  }
  mkdirSync(join(modules, '@nbpr'));
  for (const entry of readdirSync(join(real, '@nbpr'))) {
    const pkg = JSON.parse(readFileSync(join(real, '@nbpr', entry, 'package.json'), 'utf8')).name as string;
    const where = ['libs', 'tools'].flatMap((d) => readdirSync(join(dir, d)).map((x) => join(dir, d, x))).find((p) => {
      try {
        return JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')).name === pkg;
      } catch {
        return false;
      }
    });
    if (where) symlinkSync(where, join(modules, '@nbpr', entry));
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

export interface NxRun {
  status: number | null;
  output: string;
  /** Tasks Nx took from its cache, e.g. 'jq:resolve'. */
  cached: Set<string>;
  /** Tasks Nx ran. */
  ran: Set<string>;
}

/** Runs the workspace's real nx with the environment of a user's shell (no test-runner hooks). */
export function runNx(cwd: string, args: string[], env: Record<string, string | undefined> = {}): NxRun {
  const result = spawnSync(process.execPath, nxArgs(args), { cwd, env: nxEnv(env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return nxRun(result.status, (result.stdout ?? '') + (result.stderr ?? ''));
}

/** runNx without blocking this process: for tests whose servers run in it (a release server, say). */
export function runNxAsync(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<NxRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nxArgs(args), { cwd, env: nxEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve(nxRun(status, output)));
  });
}

function nxArgs(args: string[]): string[] {
  // Static output (one line per task, with its cache status) for commands that run tasks.
  const style = ['run', 'run-many', 'affected'].includes(args[0]) ? ['--output-style=static'] : [];
  return [join(repoRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args, ...style];
}

function nxEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _, ...base } = process.env;
  return { ...base, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', NX_VERBOSE_LOGGING: 'false', ...env };
}

function nxRun(status: number | null, output: string): NxRun {
  const cached = new Set<string>();
  const ran = new Set<string>();
  for (const match of output.matchAll(/^> nx run (\S+?)(?:\s+\[(local cache|existing outputs match the cache, left as is|remote cache)\])?\s*$/gm)) {
    (match[2] ? cached : ran).add(match[1]);
  }
  return { status, output, cached, ran };
}

export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}
