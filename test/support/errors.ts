import assert from 'node:assert/strict';
import { NbprError } from '@nbpr/model';

/** The formatted NbprError `fn` throws: failing the test if it throws anything else, or nothing. */
export function failureText(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NbprError, `expected an NbprError, got ${String(error)}`);
    return error.format();
  }
  assert.fail('expected a failure');
}
