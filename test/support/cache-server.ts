import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after } from 'node:test';

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
export async function startCacheServer(ws: string, registry: string, token: string): Promise<RunningCacheServer> {
  const server = await launchCacheServer(ws, registry, token);
  after(server.stop);
  return server;
}

/** The same, stopped by the caller (benchmarks run outside node:test). */
export async function launchCacheServer(ws: string, registry: string, token: string): Promise<RunningCacheServer> {
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child: ChildProcess = spawn(process.execPath, [join(ws, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), 'cache-server', '--port', '0', '--registry', registry], {
    cwd: ws,
    env: { ...env, NBPR_CACHE_SERVER_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = text.match(/on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 20);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`nbpr cache-server exited before listening:\n${text}`));
    });
  });
  return {
    url,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
