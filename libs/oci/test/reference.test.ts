import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryRepository } from '../src';
import { isValidRepositoryName, isValidTag, parseReference, registryBaseUrl } from '../src/reference';

const digest = `sha256:${'ab'.repeat(32)}`;

test('a reference names registry, repository and optionally a tag and a digest', () => {
  assert.deepEqual(parseReference('ghcr.io/nerves-project/nbpr-jq:1.7.1'), { registry: 'ghcr.io', repository: 'nerves-project/nbpr-jq', tag: '1.7.1', digest: undefined, scheme: 'https' });
  assert.deepEqual(parseReference(`ghcr.io/a/b/c@${digest}`), { registry: 'ghcr.io', repository: 'a/b/c', tag: undefined, digest, scheme: 'https' });
  assert.deepEqual(parseReference(`127.0.0.1:5000/nbpr/jq:v1@${digest}`), { registry: '127.0.0.1:5000', repository: 'nbpr/jq', tag: 'v1', digest, scheme: 'http' });
  assert.equal(parseReference('localhost:5000/jq').scheme, 'http');
  assert.equal(parseReference('[::1]:5000/jq').registry, '[::1]:5000');
  assert.equal(parseReference('registry.lan:5000/jq').scheme, 'https', 'only loopback is plain HTTP by default');
  assert.equal(parseReference('http://registry.lan:5000/jq').scheme, 'http', 'an explicit http:// prefix asks for plain HTTP');
  assert.equal(parseReference('https://127.0.0.1:5000/jq').scheme, 'https');
});

test('the registry base URL is https except for loopback registries or when asked', () => {
  assert.equal(registryBaseUrl('ghcr.io'), 'https://ghcr.io');
  assert.equal(registryBaseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(registryBaseUrl('localhost'), 'http://localhost');
  assert.equal(registryBaseUrl('registry.lan:5000', true), 'http://registry.lan:5000');
  assert.equal(registryBaseUrl('127.0.0.1:5000', false), 'https://127.0.0.1:5000');
});

test('repository names and tags follow the distribution spec grammar', () => {
  for (const ok of ['a', 'nbpr/jq', 'a.b/c_d/e__f/g--h', 'nerves-project/nbpr-jq', '0/1']) assert.ok(isValidRepositoryName(ok), ok);
  for (const bad of ['', 'A/b', 'a//b', '/a', 'a/', '-a', 'a-', 'a___b', 'a..b', 'a:b', 'x'.repeat(256)]) assert.ok(!isValidRepositoryName(bad), bad);
  for (const ok of ['v1', '1.7.1', '_x', `0.1.0-nerves_system_rpi4-2.0.4-${'f'.repeat(16)}`, 'a'.repeat(128)]) assert.ok(isValidTag(ok), ok);
  for (const bad of ['', '.x', '-x', 'a/b', 'a:b', 'a'.repeat(129)]) assert.ok(!isValidTag(bad), bad);
});

test('bad references are refused with what is wrong and how to write one', () => {
  const refused = (text: string, pattern: RegExp) =>
    assert.throws(() => parseReference(text), (e: Error & { format(): string }) => {
      assert.equal(e.name, 'NbprError');
      assert.match(e.format(), pattern);
      return true;
    });
  refused('nbpr-jq:1.0', /registry host/);
  refused('ghcr.io', /registry host and a repository/);
  refused('ghcr.io/Nerves/jq', /not a valid repository name/);
  refused('ghcr.io/a/jq:-bad', /not a valid tag/);
  refused('ghcr.io/a/jq@sha256:abc', /not a sha256 digest/);
  refused('ftp://ghcr.io/a/jq', /only http/);
});

test('credentials in a reference are refused and never echoed', () => {
  for (const text of ['https://me:hunter2secret@ghcr.io/a/b:1', 'me:hunter2secret@ghcr.io/a/b:1']) {
    assert.throws(() => parseReference(text), (e: Error & { format(): string }) => {
      assert.match(e.format(), /credentials do not belong/);
      assert.match(e.format(), /NBPR_REGISTRY_TOKEN/);
      assert.doesNotMatch(`${e.format()}\n${e.stack}`, /hunter2secret/);
      return true;
    });
  }
});

test('a repository handle refuses an invalid name before any request', () => {
  assert.throws(() => new RegistryRepository('ghcr.io', 'Upper/Case'), /not a valid repository name/);
  assert.throws(() => new RegistryRepository('ghcr.io/x', 'a'), /not a registry host/);
  assert.equal(RegistryRepository.fromReference('127.0.0.1:5000/nbpr/jq:v1').location, '127.0.0.1:5000/nbpr/jq');
});
