import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyWorkspace } from './support/nx-workspace';
import { tempDir } from './support/temp';
import { startRegistry } from './support/registry';
import { EXAMPLE_SIGNING_ENV } from './support/keys';

// The nbpr CLI, outside Nx, in a copy of the workspace.

const ws = copyWorkspace();
const store = join(tempDir(), 'store');

function nbpr(...args: string[]) {
  return nbprWith({}, ...args);
}

function nbprWith(extra: Record<string, string>, ...args: string[]) {
  const { NODE_OPTIONS: _, NBPR_REGISTRY: __, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(ws, 'tools', 'nbpr-cli', 'bin', 'nbpr.js'), ...args], { cwd: ws, env: { ...env, NBPR_CACHE_DIR: store, ...extra }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('nbpr key prints the full key and the tag, or the key document with --json', () => {
  const plain = nbpr('key', 'nbpr-hello');
  assert.equal(plain.status, 0, plain.err);
  assert.match(plain.out, /^[0-9a-f]{64} {2}0\.1\.0-nerves_system_nbpr_example-0\.1\.0-[0-9a-f]{16}\n$/);
  const json = JSON.parse(nbpr('key', 'nbpr-hello', '--json').out);
  assert.equal(json.keyDocument.package.name, 'nbpr-hello');
});

test('exit codes: 0 on success, 1 for a user error with its fix, 2 for wrong usage', () => {
  const typo = nbpr('key', 'nbpr-helo');
  assert.equal(typo.status, 1);
  assert.match(typo.err, /no NBPR package named 'nbpr-helo'; did you mean 'nbpr-hello'\?/);
  assert.equal(nbpr('frobnicate').status, 2);
  assert.equal(nbpr().status, 2);
  assert.match(nbpr('why-miss', '--help').out, /nbpr why-miss <package>/);
});

test('nbpr why-miss names the inputs that differ from the nearest published artefact', () => {
  assert.match(nbpr('why-miss', 'nbpr-hello').out, /not a miss: .*nbpr-hello:0\.1\.0-nerves_system_nbpr_example-0\.1\.0-[0-9a-f]{16} has key/);
  const file = join(ws, 'examples', 'packages', 'nbpr-heartbeat', 'nbpr.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"default": "alive"', '"default": "still alive"'));
  const r = nbpr('why-miss', 'nbpr-heartbeat');
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /nearest is .*nbpr-heartbeat:.* which differs in 2 input\(s\)/);
  // Two published artefacts are equally near (the default message, and the example firmware's).
  assert.match(r.out, /options\.default_message: "(alive|beating)" -> "still alive"/);
  assert.match(r.out, /build\.kconfig\.BR2_PACKAGE_NBPR_HEARTBEAT_DEFAULT_MESSAGE: "\\"(alive|beating)\\"" -> "\\"still alive\\""/);
});

test('nbpr fetch fills the local store, cache ls lists it, cache clean empties it', () => {
  const fetched = nbpr('fetch', 'example-firmware');
  assert.equal(fetched.status, 0, fetched.err);
  assert.match(fetched.out, /fetched nbpr-hello 0\.1\.0 .* from examples\/registry/);
  const listed = nbpr('cache', 'ls');
  assert.equal(listed.out.trim().split('\n').length, 2, listed.out);
  assert.match(listed.out, /0\.1\.0-nerves_system_nbpr_example-0\.1\.0-[0-9a-f]{16}\s+examples\/registry/);
  assert.match(nbpr('cache', 'clean').out, /^removed 2 artefact\(s\), 2 blob\(s\) and 0 leftover\(s\) of dead runs \([\d.]+ MiB\) from /);
  const empty = nbpr('cache', 'ls');
  assert.equal(empty.out, '');
  assert.match(empty.err, /no artefacts in the store at /);
  const elsewhere = tempDir();
  writeFileSync(join(elsewhere, 'keep.txt'), 'not the store');
  assert.match(nbprWith({ NBPR_CACHE_DIR: elsewhere }, 'cache', 'clean').out, /^removed 0 artefact\(s\), 0 blob\(s\)/);
  assert.equal(readFileSync(join(elsewhere, 'keep.txt'), 'utf8'), 'not the store', 'clean removes only what a store holds');
});

test("nbpr publish copies a stored artefact to NBPR_REGISTRY (else nx.json's registry) once, and says where to set a registry when there is none", async () => {
  const registry = await startRegistry();
  assert.equal(nbpr('fetch', 'nbpr-hello').status, 0);
  const none = nbpr('publish', 'nbpr-hello');
  assert.equal(none.status, 1);
  assert.match(none.err, /options\.registry: no registry to publish to\n.*or NBPR_REGISTRY in the environment/);
  const unsigned = nbprWith({ NBPR_REGISTRY: `${registry.host}/ci` }, 'publish', 'nbpr-hello');
  assert.equal(unsigned.status, 1);
  assert.match(unsigned.err, /environment NBPR_SIGNING_KEY: nothing to sign with[\s\S]*code: trust\/no-signing-key/);
  assert.doesNotMatch(unsigned.err, /\n\s+at /);
  const first = nbprWith({ NBPR_REGISTRY: `${registry.host}/ci`, ...EXAMPLE_SIGNING_ENV }, 'publish', 'nbpr-hello');
  assert.equal(first.status, 0, first.err);
  assert.match(first.out, new RegExp(`published nbpr-hello 0\\.1\\.0 as ${registry.host}/ci/nbpr-hello:0\\.1\\.0-\\S+; signature added, provenance added`));
  assert.match(nbprWith({ NBPR_REGISTRY: `${registry.host}/ci`, ...EXAMPLE_SIGNING_ENV }, 'publish', 'nbpr-hello').out, /already published \(same content\)/);
});

test('a broken firmware profile elsewhere in the workspace does not stop nbpr for a package, and is named when a name is not found', () => {
  const broken = join(ws, 'examples', 'broken', 'nbpr.firmware.json');
  mkdirSync(join(broken, '..'), { recursive: true });
  writeFileSync(broken, '{ "name": "broken", ');
  try {
    const fetched = nbpr('fetch', 'nbpr-hello');
    assert.equal(fetched.status, 0, fetched.err);
    const missing = nbpr('fetch', 'no-such-thing');
    assert.equal(missing.status, 1);
    assert.match(missing.err, /no package or firmware named 'no-such-thing'.*this firmware profile has no name to match: examples\/broken\/nbpr\.firmware\.json:1:\d+: malformed JSON/);
    assert.doesNotMatch(missing.err, /SyntaxError|\n\s+at /);
    writeFileSync(broken, '[]');
    assert.match(nbpr('fetch', 'no-such-thing').err, /this firmware profile has no name to match: examples\/broken\/nbpr\.firmware\.json \/name: missing/);
    for (const command of ['fetch', 'stage', 'resolve']) {
      const unnamed = nbpr(command);
      assert.equal(unnamed.status, 2, `${command} without a name is wrong usage`);
      assert.match(unnamed.err, /^missing package or firmware name\n[^]*code: cli\/missing-argument/);
    }
  } finally {
    rmSync(join(broken, '..'), { recursive: true, force: true });
  }
});

test('system-id prints the active system, then each other --system once, and "unavailable" for a system not on the machine', () => {
  const empty = tempDir();
  const r = nbprWith({ NERVES_ARTIFACTS_DIR: empty }, 'system-id', '--system', 'nerves_system_nbpr_example@0.1.0', '--system', 'nerves_system_rpi4@2.0.4');
  assert.equal(r.status, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 2, r.out);
  assert.equal(JSON.parse(lines[0]!).id, 'nerves_system_nbpr_example@0.1.0', 'the active system first, the repeated --system not again');
  assert.match(JSON.parse(lines[0]!).config, /^sha256:[0-9a-f]{64}$/);
  assert.match(lines[1]!, /^unavailable: Nerves system nerves_system_rpi4@2\.0\.4 not found/);
});

test('nbpr verify says who signed each artefact at each site; with its signature gone, verify exits 1 and fetch refuses it, naming the key expected', () => {
  const signed = nbpr('verify', 'nbpr-hello');
  assert.equal(signed.status, 0, signed.err);
  assert.match(signed.out, /examples\/registry\/nbpr-hello:0\.1\.0-\S+ \(sha256:[0-9a-f]{64}\): signed by [0-9a-f]{16} \(examples\/keys\/nbpr-example\.pub\); built by source build on linux-\S+ from commit [0-9a-f]{40}/);
  const indexFile = join(ws, 'examples', 'registry', 'nbpr-hello', 'index.json');
  const index = readFileSync(indexFile, 'utf8');
  const parsed = JSON.parse(index);
  const kept = parsed.manifests.filter((m: any) => !m.annotations['org.opencontainers.image.ref.name'].endsWith('.sig'));
  assert.equal(kept.length, parsed.manifests.length - 1, 'one signature tag removed');
  writeFileSync(indexFile, JSON.stringify({ ...parsed, manifests: kept }));
  try {
    const unsigned = nbpr('verify', 'nbpr-hello');
    assert.equal(unsigned.status, 1);
    assert.match(unsigned.out, /NOT TRUSTED: it is not signed/);
    const refused = nbprWith({ NBPR_CACHE_DIR: join(tempDir(), 'store') }, 'fetch', 'nbpr-hello');
    assert.equal(refused.status, 1);
    assert.match(refused.err, /refused by the trust policy at every site that has tag 0\.1\.0-\S+:[\s\S]*it is not signed[\s\S]*requires a signature by one of: [0-9a-f]{16} \(examples\/keys\/nbpr-example\.pub\)/);
    assert.match(refused.err, /code: trust\/refused/);
    assert.doesNotMatch(refused.err, /\n\s+at /);
  } finally {
    writeFileSync(indexFile, index);
  }
});

test("a firmware for another system than NBPR_SYSTEM is skipped by every stage, its earlier output left as it was; a malformed NBPR_SYSTEM is an error", () => {
  const staged = nbpr('stage', 'example-firmware');
  assert.equal(staged.status, 0, staged.err);
  const out = join(ws, 'dist', 'examples', 'firmware');
  const files = ['legal-info/manifest.csv', 'sbom.spdx.json', 'sbom.cdx.json', 'nbpr_runtime/mix.exs'];
  const before = files.map((f) => readFileSync(join(out, f), 'utf8'));
  const other = nbprWith({ NBPR_SYSTEM: 'nerves_system_rpi4@2.0.4' }, 'stage', 'example-firmware');
  assert.equal(other.status, 0, other.err);
  assert.match(other.out, /> licence-aggregate example-firmware\nskipped: firmware example-firmware is for nerves_system_nbpr_example@0\.1\.0, the active system is nerves_system_rpi4@2\.0\.4/);
  assert.deepEqual(files.map((f) => readFileSync(join(out, f), 'utf8')), before, 'legal-info, SBOMs and nbpr_runtime as the example system left them');
  const malformed = nbprWith({ NBPR_SYSTEM: 'x@' }, 'stage', 'example-firmware');
  assert.equal(malformed.status, 1);
  assert.match(malformed.err, /'x@' is not a system id[^]*code: system\/invalid-id/);
});

test('nbpr ci-plan names a list file that is missing, a directory, not JSON (at its line and column) or not a list, without a stack trace', () => {
  const dir = tempDir();
  const missing = nbpr('ci-plan', join(dir, 'affected.json'));
  assert.equal(missing.status, 1);
  assert.equal(missing.err, `${join(dir, 'affected.json')}: file not found\n  Check the path.\n  code: json/unreadable-file\n`);
  const directory = nbpr('ci-plan', dir);
  assert.equal(directory.status, 1);
  assert.equal(directory.err, `${dir}: not a file: it is a directory\n  Give the path of a file, not of a directory.\n  code: json/unreadable-file\n`);
  writeFileSync(join(dir, 'broken.json'), '[\n  "nbpr-hello",\n');
  const broken = nbpr('ci-plan', join(dir, 'broken.json'));
  assert.equal(broken.status, 1);
  assert.match(broken.err, new RegExp(`^${join(dir, 'broken.json')}:3:1: malformed JSON: expected a value\n[\\s\\S]*code: json/malformed\n$`));
  writeFileSync(join(dir, 'object.json'), '{}');
  assert.match(nbpr('ci-plan', join(dir, 'object.json')).err, new RegExp(`^${join(dir, 'object.json')}: not a JSON list of project names\n[\\s\\S]*code: cli/invalid-affected-list\n$`));
  writeFileSync(join(dir, 'affected.json'), '["nbpr-hello"]');
  const planned = nbpr('ci-plan', join(dir, 'affected.json'));
  assert.equal(planned.status, 0, planned.err);
  assert.match(planned.out, /"projects":"nbpr-hello"/);
});
