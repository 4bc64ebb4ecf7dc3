import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { tempDir } from './temp';

export interface RunningCacheServer {
  url: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real `nbpr cache-server` of workspace `ws`, in its own process (Nx's requests must
 * not wait on a test process that is blocked in spawnSync), on a free port of 127.0.0.1,
 * keeping task outputs in `registry` (host:port/namespace). Stopped when the test file ends.
 */
export async function startCacheServer(ws: string, registry: string, token: string, args: string[] = []): Promise<RunningCacheServer> {
  const server = await launchCacheServer(ws, registry, token, join(tempDir('nbpr-cache-server-'), 'server.log'), args);
  after(server.stop);
  return server;
}

/**
 * The same, stopped by the caller (benchmarks run outside node:test). The server writes to
 * `logFile` rather than a pipe, which nobody would read while the caller waits in spawnSync.
 */
export async function launchCacheServer(ws: string, registry: string, token: string, logFile: string, args: string[] = []): Promise<RunningCacheServer> {
  const { NODE_OPTIONS: _, ...env } = process.env;
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [join(ws, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), 'cache-server', '--port', '0', '--registry', registry, ...args], {
    cwd: ws,
    env: { ...env, NBPR_CACHE_SERVER_TOKEN: token },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const output = () => readFileSync(logFile, 'utf8');
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve((exited = true) && undefined)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = output().match(/on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match || exited) clearInterval(timer);
      if (match) resolve(match[1]);
      else if (exited) reject(new Error(`nbpr cache-server exited before listening:\n${output()}`));
    }, 20);
  });
  return {
    url,
    output,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await exit;
    },
  };
}
