import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after } from 'node:test';
import { tempDir } from './temp';

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
 * Debian's docker-registry (Distribution 2.8) on 127.0.0.1 with a temporary storage
 * directory, stopped when the test file ends.
 */
export async function startRegistry(auth: RegistryAuth = {}): Promise<TestRegistry> {
  const registry = await launchRegistry(tempDir('nbpr-registry-'), auth);
  after(registry.stop);
  return registry;
}

/** The same, in a directory the caller owns and cleans (benchmarks run outside node:test). */
export async function launchRegistry(dir: string, auth: RegistryAuth = {}): Promise<TestRegistry> {
  const storage = join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const port = await freePort();
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
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', fd] });
  closeSync(fd);
  const log = () => readFileSync(logFile, 'utf8').slice(-4000);
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`);
    try {
      const response = await fetch(`${url}/v2/`);
      if (response.status === 200 || response.status === 401) return { host: `127.0.0.1:${port}`, url, storage, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not answer on ${url}: ${log()}`);
}
