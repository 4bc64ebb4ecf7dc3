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

/** The formatted NbprError `promise` rejects with: failing the test if it rejects with anything else, or resolves. */
export async function rejectionText(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NbprError, `expected an NbprError, got ${String((error as Error)?.stack ?? error)}`);
    return error.format();
  }
  assert.fail('expected a failure');
}
