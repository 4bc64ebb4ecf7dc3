import { readFileSync } from 'node:fs';
import { findNodeAtLocation, getNodePath, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { displayPath } from './display-path';
import type { ErrorCode } from './error-codes';
import { NbprError } from './errors';
import { readFailure } from './fs-failure';

/**
 * A JSON file as read from disk, kept with its text so that any later error can point at
 * the line and column of the value it is about, not only at its JSON pointer.
 */
export interface JsonSource {
  /** Path as shown to the user (relative to the working directory when inside it). */
  file: string;
  text: string;
  value: unknown;
  tree: Node;
}

/**
 * NBPR's own files are strict JSON, as JSON.parse and ajv users expect; files NBPR reads from
 * other tools keep those tools' dialect (nx.json is JSON with comments and trailing commas).
 */
export type JsonDialect = 'json' | 'jsonc';

export function readJsonSource(path: string, cwd = process.cwd(), dialect: JsonDialect = 'json'): JsonSource {
  const file = displayPath(path, cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const failure = readFailure(error);
    if (!failure) throw error;
    throw new NbprError(failure.what, { code: 'json/unreadable-file', where: file, hint: failure.hint, cause: error });
  }
  return parseJsonSource(file, text, dialect);
}

/** Deeper than any NBPR file needs; deep enough nesting would exhaust the parser's stack. */
export const MAX_JSON_DEPTH = 64;

/** The offset where nesting first gets deeper than `max` (outside strings), if it does. */
function tooDeep(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > max) return i;
    } else if (c === '}' || c === ']') depth--;
  }
  return undefined;
}

export function parseJsonSource(file: string, text: string, dialect: JsonDialect = 'json'): JsonSource {
  const deep = tooDeep(text, MAX_JSON_DEPTH);
  if (deep !== undefined) {
    throw new NbprError(`JSON nested more than ${MAX_JSON_DEPTH} levels deep`, { code: 'json/too-deep', where: `${file}:${lineColumn(text, deep)}`, hint: 'No NBPR file needs this depth; the file is damaged or hostile.' });
  }
  const errors: ParseError[] = [];
  const strict = dialect === 'json';
  const tree = parseTree(text, errors, { disallowComments: strict, allowTrailingComma: !strict });
  if (errors.length > 0 || tree === undefined) {
    const first = errors[0];
    const offset = first?.offset ?? 0;
    const what = first ? describeParseError(printParseErrorCode(first.error)) : 'empty file';
    throw new NbprError(`malformed JSON: ${what}`, {
      code: 'json/malformed',
      where: `${file}:${lineColumn(text, offset)}`,
      hint: strict ? 'Fix the JSON syntax at that position (strict JSON: no comments, no trailing commas, double-quoted keys).' : 'Fix the JSON syntax at that position.',
    });
  }
  const violation = iJsonViolation(tree, strict);
  if (violation) {
    throw new NbprError(violation.what, { code: violation.code, where: `${file}:${lineColumn(text, violation.node.offset)} ${pointerOf(...getNodePath(violation.node)) || '/'}`, hint: violation.hint });
  }
  return { file, text, value: getNodeValue(tree), tree };
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The first place that breaks I-JSON (RFC 7493) as NBPR holds its files to it: half a
 * surrogate pair in a string or a member name (it has no UTF-8 form), and, in NBPR's own
 * (strict) files, a member name given twice (readers differ on which one counts; in another
 * tool's file, that tool decides).
 */
function iJsonViolation(node: Node, strict: boolean): { node: Node; code: ErrorCode; what: string; hint: string } | undefined {
  if (node.type === 'string' && LONE_SURROGATE.test(node.value as string)) {
    const named = node.parent?.type === 'property' && node.parent.children?.[0] === node;
    return {
      node: named ? node.parent! : node,
      code: 'json/lone-surrogate',
      what: `${named ? 'a member name' : 'a string'} holds a lone UTF-16 surrogate (a \\u escape of half a character)`,
      hint: 'Write the whole character (or both halves of its surrogate pair). Half a character has no UTF-8 form: it would change on its way into a cache key, a config file or the device.',
    };
  }
  const names = new Set<unknown>();
  for (const child of node.children ?? []) {
    const found = iJsonViolation(child, strict);
    if (found) return found;
    if (strict && node.type === 'object') {
      const name = child.children?.[0]?.value;
      if (names.has(name)) return { node: child, code: 'json/duplicate-name', what: `the member name ${JSON.stringify(name)} appears twice in one object`, hint: 'Keep one of them: JSON readers differ on which one counts, and NBPR takes neither silently.' };
      names.add(name);
    }
  }
  return undefined;
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'expected a double-quoted property name',
    ValueExpected: 'expected a value',
    ColonExpected: "expected ':'",
    CommaExpected: "expected ','",
    CloseBraceExpected: "expected '}'",
    CloseBracketExpected: "expected ']'",
    EndOfFileExpected: 'unexpected content after the end of the JSON value',
    InvalidCommentToken: 'comments are not allowed in JSON',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string',
  };
  return words[code] ?? code;
}

export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `${line}:${offset - lineStart + 1}`;
}

/** `file:line:col` of the value at a JSON pointer, or of its nearest existing parent. */
export function locate(source: JsonSource, pointer: string): string {
  const path = pointerSegments(pointer);
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(source.tree, path.slice(0, n));
    if (node) {
      // Point at the key of a property rather than its value: that is where the eye goes.
      const at = node.parent?.type === 'property' && node.parent.children?.[0] ? node.parent.children[0] : node;
      return `${source.file}:${lineColumn(source.text, at.offset)}`;
    }
  }
  return source.file;
}

export function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function pointerOf(...segments: (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** An error about the value at `pointer` in a JSON file: "file:line:col /pointer: what". */
export function errorAt(source: JsonSource, pointer: string, code: ErrorCode, what: string, hint?: string): NbprError {
  const where = `${locate(source, pointer)} ${pointer || '/'}`;
  return new NbprError(what, { code, where, hint });
}
