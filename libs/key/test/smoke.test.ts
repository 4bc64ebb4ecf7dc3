import { test } from 'node:test';
import assert from 'node:assert/strict';
test('ts runs', () => { const x: number = 2; assert.equal(x, 2); });
