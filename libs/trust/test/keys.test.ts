import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustedKey, signingKeyFromEnv } from '../src/keys';
import { trustPolicy } from '../src';
import { testKeyPair } from '../../../test/support/keys';
import { tempDir } from '../../../test/support/temp';

const dir = tempDir();

test('a trusted key and the signing key it belongs to have the same key id', () => {
  const pair = testKeyPair(dir, 'a');
  const signing = signingKeyFromEnv({ NBPR_SIGNING_KEY: pair.privatePem })!;
  assert.equal(parseTrustedKey(pair.publicPem, 'a.pub').id, signing.id);
  assert.match(signing.id, /^[0-9a-f]{64}$/);
});

test('no NBPR_SIGNING_KEY means no signing key; a key that is not P-256 is refused, naming the curve and how to make one', () => {
  assert.equal(signingKeyFromEnv({}), undefined);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  assert.throws(() => parseTrustedKey(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'p384.pub'), (e: any) => e.code === 'trust/invalid-key' && /secp384r1, not an ECDSA P-256 key/.test(e.message) && /cosign generate-key-pair/.test(e.format()));
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.throws(() => signingKeyFromEnv({ NBPR_SIGNING_KEY: pem }), (e: any) => e.code === 'trust/invalid-key' && e.format().includes('environment NBPR_SIGNING_KEY'));
});

test('an encrypted signing key opens with its password; with a wrong one the error never shows the key', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'hunter2' }).toString();
  assert.ok(signingKeyFromEnv({ NBPR_SIGNING_KEY: pem, NBPR_SIGNING_KEY_PASSWORD: 'hunter2' }));
  assert.throws(
    () => signingKeyFromEnv({ NBPR_SIGNING_KEY: pem, NBPR_SIGNING_KEY_PASSWORD: 'wrong' }),
    (e: any) => {
      const text = e.format();
      assert.equal(e.code, 'trust/invalid-key');
      assert.ok(!text.includes(pem.split('\n')[1]), 'no line of the key in the message');
      assert.ok(!text.includes('hunter2') && !text.includes('wrong'), 'no password in the message');
      return true;
    },
  );
  const plain = testKeyPair(dir, 'plain').privatePem;
  assert.throws(() => signingKeyFromEnv({ NBPR_SIGNING_KEY: plain.replace(/PRIVATE KEY/g, 'PUBLIC KEY') }), (e: any) => e.code === 'trust/invalid-key' && !e.format().includes(plain.split('\n')[1].slice(0, 20)));
});

test('the trust policy: keys mean require unless it says otherwise; require with no key, or a key file that is missing or not a key, is an error naming where', () => {
  const pair = testKeyPair(dir, 'policy');
  assert.equal(trustPolicy(undefined, dir).mode, 'off');
  assert.equal(trustPolicy({ keys: ['policy.pub'] }, dir).mode, 'require');
  assert.equal(trustPolicy({ keys: [pair.publicFile], policy: 'warn' }, dir).mode, 'warn');
  assert.throws(() => trustPolicy({ policy: 'require' }, dir), (e: any) => e.code === 'trust/no-keys' && /trust\/keys/.test(e.where));
  assert.throws(() => trustPolicy({ keys: ['policy.pub', 'missing.pub'] }, dir), (e: any) => e.code === 'trust/key-unreadable' && /keys\/1$/.test(e.where) && /cannot read trusted key "missing\.pub": file not found/.test(e.message));
  mkdirSync(join(dir, 'a-directory.pub'), { recursive: true });
  assert.throws(() => trustPolicy({ keys: ['a-directory.pub'] }, dir), (e: any) => e.code === 'trust/key-unreadable' && /not a file: it is a directory/.test(e.message));
  writeFileSync(join(dir, 'not-a-key.pub'), 'hello\n');
  assert.throws(() => trustPolicy({ keys: ['policy.pub', 'not-a-key.pub'] }, dir), (e: any) => e.code === 'trust/invalid-key' && e.where === '"not-a-key.pub" (nx.json /plugins/…/options/trust/keys/1)');
});
