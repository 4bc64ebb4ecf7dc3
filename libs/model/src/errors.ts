/**
 * An error a user can cause and fix. Every NBPR failure that is not a bug is one of these:
 * it says what went wrong, where (file, JSON pointer, package, symbol, URL without
 * credentials) and what to do, and adapters print `format()` instead of a stack trace.
 */
export class NbprError extends Error {
  /** Where the problem is: a file (with :line:col when known), JSON pointer, package, symbol or URL. */
  readonly where?: string;
  /** What the user can do about it. */
  readonly hint?: string;

  constructor(what: string, options: { where?: string; hint?: string; cause?: unknown } = {}) {
    super(what, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NbprError';
    this.where = options.where;
    this.hint = options.hint;
  }

  format(): string {
    const lines = [this.where ? `${this.where}: ${this.message}` : this.message];
    if (this.hint) lines.push(`  ${this.hint}`);
    return lines.join('\n');
  }
}

/** Several user errors found in one pass, reported together so the user can fix them all at once. */
export class NbprErrors extends NbprError {
  readonly errors: NbprError[];

  constructor(errors: NbprError[]) {
    super(errors.map((e) => e.format()).join('\n'));
    this.name = 'NbprErrors';
    this.errors = errors;
  }

  override format(): string {
    return this.errors.map((e) => e.format()).join('\n');
  }
}

export function isNbprError(error: unknown): error is NbprError {
  return error instanceof NbprError;
}
