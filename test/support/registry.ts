import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after } from 'node:test';

export interface TestRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  host: string;
  url: string;
  storage: string;
  stop(): Promise<void>;
}

export interface RegistryAuth {
  htpasswd?: { username: string; password: string };
  /** Distribution's token auth: realm and the PEM of the certificate whose key signs the tokens. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Debian's docker-registry (Distribution 2.8) on 127.0.0.1 with a free port and a temporary
 * storage directory, optionally behind htpasswd Basic auth or token auth (see token-server.ts);
 * stopped (and its directory removed) when the test file ends.
 */
export async function startRegistry(auth: RegistryAuth = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'nbpr-registry-'));
  try {
    const registry = await launchRegistry(dir, auth);
    // One hook, in this order: the registry must be gone before its storage is.
    after(async () => {
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return registry;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The same, in a directory the caller owns and cleans (benchmarks run outside node:test). */
export async function launchRegistry(dir: string, auth: RegistryAuth = {}): Promise<TestRegistry> {
  // freePort() can lose its port to another process before the registry binds it: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(dir, auth, await freePort());
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String((error as Error).message))) throw error;
    }
  }
}

async function launchOnce(dir: string, auth: RegistryAuth, port: number): Promise<TestRegistry> {
  const storage = join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (auth.htpasswd) {
    // bcrypt, as Distribution requires, from Debian's apache2-utils (scripts/setup.sh installs it).
    const file = join(dir, 'htpasswd');
    writeFileSync(file, execFileSync('htpasswd', ['-Bbn', auth.htpasswd.username, auth.htpasswd.password], { encoding: 'utf8' }));
    lines.push('auth:', '  htpasswd:', '    realm: nbpr-test', `    path: ${file}`);
  }
  if (auth.token) {
    const bundle = join(dir, 'token-root.pem');
    writeFileSync(bundle, auth.token.rootCertBundle);
    lines.push('auth:', '  token:', `    realm: ${auth.token.realm}`, `    service: ${auth.token.service}`, `    issuer: ${auth.token.issuer}`, `    rootcertbundle: ${bundle}`);
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, lines.join('\n') + '\n');
  // A file, not a pipe: Distribution logs every 404 at level error, and a pipe nobody reads
  // while the test waits in spawnSync fills up and stalls the registry.
  const logFile = join(dir, 'registry.log');
  const fd = openSync(logFile, 'w');
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', fd] });
  closeSync(fd);
  const log = () => readFileSync(logFile, 'utf8').slice(-4000);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`);
    try {
      const response = await fetch(`${url}/v2/`);
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return { host: `127.0.0.1:${port}`, url, storage, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not answer on ${url}: ${log()}`);
}
