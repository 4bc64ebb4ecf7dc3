import type { ErrorCode } from './error-codes';

/**
 * An error a user can cause and fix. Every NBPR failure that is not a bug is one of these:
 * it says what went wrong, where (file, JSON pointer, package, symbol, URL without
 * credentials) and what to do, and adapters print `format()` instead of a stack trace.
 */
/**
 * Text with the userinfo of every URL or host reference (`user:secret@host`, `scheme://user@host`)
 * replaced by `***`: whatever an error quotes (a value from nx.json, a URL a registry sent), it
 * never carries a credential into output, a log, or a file Nx persists.
 */
export function redactCredentials(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@"'<>]+@/gi, '$1***@')
    .replace(/(^|[\s"'(=,[])[^/\s@"'<>:(=,[]+:[^/\s@"'<>]+@(?=[A-Za-z0-9[])/g, '$1***@');
}

export class NbprError extends Error {
  /** Stable name of this kind of failure (see ERROR_CODES), for users to search for. */
  readonly code: ErrorCode;
  /** Where the problem is: a file (with :line:col when known), JSON pointer, package, symbol or URL. */
  readonly where?: string;
  /** What the user can do about it. */
  readonly hint?: string;

  constructor(what: string, options: { code: ErrorCode; where?: string; hint?: string; cause?: unknown }) {
    super(redactCredentials(what), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NbprError';
    this.code = options.code;
    this.where = options.where === undefined ? undefined : redactCredentials(options.where);
    this.hint = options.hint === undefined ? undefined : redactCredentials(options.hint);
  }

  format(): string {
    const lines = [this.where ? `${this.where}: ${this.message}` : this.message];
    if (this.hint) lines.push(`  ${this.hint}`);
    lines.push(`  code: ${this.code}`);
    return lines.join('\n');
  }
}

/** Several user errors found in one pass, reported together so the user can fix them all at once. */
export class NbprErrors extends NbprError {
  readonly errors: NbprError[];

  constructor(errors: NbprError[]) {
    super(errors.map((e) => e.format()).join('\n'), { code: sharedCode(errors) });
    this.name = 'NbprErrors';
    this.errors = errors;
  }

  override format(): string {
    return this.errors.map((e) => e.format()).join('\n');
  }
}

function sharedCode(errors: NbprError[]): ErrorCode {
  const codes = new Set(errors.map((e) => e.code));
  return codes.size === 1 ? [...codes][0] : 'input/several-problems';
}

export function isNbprError(error: unknown): error is NbprError {
  return error instanceof NbprError;
}
