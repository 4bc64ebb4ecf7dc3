import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ArtefactStore, openStore } from '@nbpr/artefact';
import { fetchArtefact, publishArtefact, siteFor } from '../src';
import { startRegistry } from '../../../test/support/registry';
import { startFaultProxy } from '../../../test/support/fault-proxy';
import { packedHello } from '../../../test/support/artefacts';
import { repoRoot } from '../../../test/support/reference';
import { tempDir } from '../../../test/support/temp';

const dir = tempDir();
const layer = /\/blobs\/sha256:/;

test('a corrupted layer leaves nothing in the store: no blob, no tree', async () => {
  const registry = await startRegistry();
  const packed = await packedHello(dir);
  await publishArtefact(siteFor(`${registry.host}/nbpr`, dir).repository('nbpr-hello'), packed.tag, packed, packed.file);
  const proxy = await startFaultProxy(registry.url);
  proxy.add({ method: 'GET', path: new RegExp(packed.digest), fault: { kind: 'flip' }, times: Infinity });
  const storeDir = join(tempDir(), 'store');
  const site = siteFor(`${proxy.host}/nbpr`, dir, { http: { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } } });
  const outcome = await fetchArtefact({ name: 'nbpr-hello', key: packed.key, tag: packed.tag }, [site], openStore(undefined, { NBPR_CACHE_DIR: storeDir }));
  assert.equal(outcome.status, 'error');
  assert.deepEqual(readdirSync(join(storeDir, 'blobs', 'sha256')), []);
  assert.deepEqual(readdirSync(join(storeDir, 'trees')), []);
});

test('two processes fetching one key at once download it once and both see a whole tree', async () => {
  const registry = await startRegistry();
  const packed = await packedHello(dir);
  await publishArtefact(siteFor(`${registry.host}/nbpr`, dir).repository('nbpr-hello'), packed.tag, packed, packed.file);
  const proxy = await startFaultProxy(registry.url);
  // Slow the layer so that the second process surely arrives while the first holds the lock.
  proxy.add({ method: 'GET', path: new RegExp(packed.digest), fault: { kind: 'slow-headers', ms: 300 }, times: Infinity });
  const storeDir = join(tempDir(), 'store');
  const script = `
    const { fetchArtefact, siteFor } = require('@nbpr/sites');
    const { openStore } = require('@nbpr/artefact');
    const fs = require('node:fs'), path = require('node:path');
    fetchArtefact(${JSON.stringify({ name: 'nbpr-hello', key: packed.key, tag: packed.tag })}, [siteFor('${proxy.host}/nbpr', '.')], openStore())
      .then((o) => { const whole = fs.existsSync(path.join(o.tree, 'target/usr/bin/nbpr-hello')); console.log(JSON.stringify({ status: o.status, source: o.source, whole })); })
      .catch((e) => { console.error(e); process.exit(1); });`;
  const run = () =>
    new Promise<{ status: string; source: string; whole: boolean }>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: repoRoot, env: { ...process.env, NBPR_CACHE_DIR: storeDir, NODE_OPTIONS: '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(err))));
    });
  const results = await Promise.all([run(), run()]);
  assert.ok(results.every((r) => r.status === 'hit' && r.whole), JSON.stringify(results));
  assert.equal(proxy.seen.filter((s) => s.method === 'GET' && layer.test(s.path) && s.path.includes(packed.digest)).length, 1, 'one download of the layer');
  assert.equal(results.filter((r) => r.source === 'store').length, 1, 'the other found it in the store');
  assert.ok(!existsSync(join(storeDir, 'locks', `${packed.key}.lock`)), 'the lock is released');
});
