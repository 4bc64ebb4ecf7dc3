import { createCacheServer } from '@nbpr/nx-cache';
import { NbprError, projectRegistry } from '@nbpr/model';
import { siteFor } from '@nbpr/sites';
import type { Command } from './commands';
import { findWorkspace } from './workspace';

export const cacheServer: Command = {
  usage: 'nbpr cache-server [--port 8090] [--host 127.0.0.1] [--registry <host/namespace>] [--verbose]',
  help: "Serves Nx's self-hosted remote cache API (NX_SELF_HOSTED_REMOTE_CACHE_SERVER) and keeps every task output as an OCI artefact in the registry (default: the project's registry, repository <registry>/nx-cache). Clients authenticate with the bearer token in NBPR_CACHE_SERVER_TOKEN (their NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN). --verbose logs every request with its status and duration. Runs until stopped.",
  async run(args) {
    const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
    const token = process.env.NBPR_CACHE_SERVER_TOKEN;
    if (!token) throw new NbprError('no token for the cache server', { code: 'cli/no-cache-token', where: 'NBPR_CACHE_SERVER_TOKEN', hint: 'Set NBPR_CACHE_SERVER_TOKEN; clients send it as NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN.' });
    const { root, options } = findWorkspace();
    const registry = value('--registry') ?? projectRegistry(options);
    if (!registry) throw new NbprError('no registry for the cache', { code: 'nx-json/no-registry', hint: 'Pass --registry <host/namespace>, set registry in nx.json, or NBPR_REGISTRY.' });
    const server = createCacheServer({ repository: siteFor(registry, root).repository('nx-cache'), token, log: (l) => console.log(l), verbose: args.includes('--verbose') });
    const port = Number(value('--port') ?? 8090);
    const host = value('--host') ?? '127.0.0.1';
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    console.log(`nbpr cache-server on http://${host}:${(server.address() as { port: number }).port}, task outputs in ${registry}/nx-cache`);
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => resolve()));
    });
    return 0;
  },
};
