import { isNbprError } from '@nbpr/model';

/**
 * Runs a generator's body so that an NbprError reaches the user as NBPR's own message: Nx
 * prints what a generator throws, stack included, and a stack would bury the fix.
 */
export async function withNbprErrors(body: () => void | Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!isNbprError(error)) throw error;
    const plain = new Error(error.format());
    plain.stack = plain.message;
    throw plain;
  }
}
