import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../src';

test('members are sorted by UTF-16 code units at every depth, arrays keep their order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
});

test('the RFC 8785 section 3.2.3 sorting example sorts as the RFC says (U+FB33 after the emoji surrogates)', () => {
  const input = {
    '\u20ac': 'Euro Sign',
    '\r': 'Carriage Return',
    '\ufb33': 'Hebrew Letter Dalet With Dagesh',
    '1': 'One',
    '\ud83d\ude00': 'Emoji: Grinning Face',
    '\u0080': 'Control',
    '\u00f6': 'Latin Small Letter O With Diaeresis',
  };
  assert.equal(
    canonicalJson(input),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
});

test('the RFC 8785 section 3.2.2 example serialises to the RFC output', () => {
  const input = {
    numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
    string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
    literals: [null, true, false],
  };
  assert.equal(canonicalJson(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
});

test('numbers are written as ECMAScript writes them (RFC 8785 appendix B)', () => {
  const fromBits = (hex: string) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt(`0x${hex}`));
    return view.getFloat64(0);
  };
  const cases: Array<[string, string]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'], // -0
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [bits, expected] of cases) assert.equal(canonicalJson(fromBits(bits)), expected, `IEEE 754 0x${bits}`);
  assert.equal(canonicalJson([1e21, 1e20, 1e-7, 1e-6, -0, 0.1, 100, 4.5, 115200]), '[1e+21,100000000000000000000,1e-7,0.000001,0,0.1,100,4.5,115200]');
});

test('strings escape only what JSON requires, in lower-case hex, and keep non-ASCII as UTF-8', () => {
  assert.equal(canonicalJson('a"b\\c\n\t\b\f\r\u0001\u001f\u007f/é€😀'), '"a\\"b\\\\c\\n\\t\\b\\f\\r\\u0001\\u001f\u007f/é€😀"');
});

test('a Date becomes its ISO string, as toJSON says; a shared (non-cyclic) object is fine', () => {
  const shared = { a: 1 };
  assert.equal(canonicalJson({ at: new Date(Date.UTC(2026, 4, 1)), x: shared, y: shared }), '{"at":"2026-05-01T00:00:00.000Z","x":{"a":1},"y":{"a":1}}');
});

test('values without a JSON form are refused, naming where, instead of silently dropped or rewritten', () => {
  assert.throws(() => canonicalJson(undefined), /undefined at \/ has no JSON representation/);
  assert.throws(() => canonicalJson({ a: undefined }), /undefined at \/a/);
  assert.throws(() => canonicalJson({ a: [1, undefined] }), /undefined at \/a\/1/);
  assert.throws(() => canonicalJson([Number.NaN]), /NaN at \/0 is not a finite number/);
  assert.throws(() => canonicalJson({ x: Infinity }), /Infinity at \/x is not a finite number/);
  assert.throws(() => canonicalJson({ x: -Infinity }), /-Infinity at \/x is not a finite number/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /a function at \/f/);
  assert.throws(() => canonicalJson({ n: 10n }), /a bigint at \/n/);
  assert.throws(() => canonicalJson([Symbol('s')]), /a symbol at \/0/);
  assert.throws(() => canonicalJson({ m: new Map([['a', 1]]) }), /a Map object at \/m/);
  assert.throws(() => canonicalJson({ s: new Set([1]) }), /a Set object at \/s/);
});

test('a cycle is refused with a clear error rather than a stack overflow', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  assert.throws(() => canonicalJson(cyclic), /value at \/self\/back contains itself/);
});

test('a lone surrogate is refused: RFC 8785 data is I-JSON', () => {
  assert.throws(() => canonicalJson({ s: 'a\ud800b' }), /string at \/s holds a lone UTF-16 surrogate/);
  assert.throws(() => canonicalJson({ ['\udc00']: 1 }), /member name at \/ holds a lone UTF-16 surrogate/);
});
