import type { ErrorObject } from 'ajv';
import { suggestion } from '../did-you-mean';
import { NbprError, NbprErrors } from '../errors';
import { errorAt, pointerOf, type JsonSource } from '../json-file';
import { validatorFor, type SchemaName } from './schemas';

/**
 * Validates a parsed JSON file against one of NBPR's schemas and throws every problem at
 * once, each as "file:line:col /pointer: what was expected", never ajv's raw output.
 */
export function validateSource(name: SchemaName, source: JsonSource, part: { value: unknown; pointer: string } = { value: source.value, pointer: '' }): void {
  const validate = validatorFor(name);
  if (validate(part.value)) return;
  const errors = describeErrors(source, validate.errors ?? [], part.pointer);
  throw errors.length === 1 ? errors[0] : new NbprErrors(errors);
}

/** `prefix` places the validated value inside its file, e.g. a plugin's options inside nx.json. */
function describeErrors(source: JsonSource, raw: ErrorObject[], prefix: string): NbprError[] {
  const seen = new Set<string>();
  const out: NbprError[] = [];
  // Errors that only echo a nested error ("must match then schema") add noise, not facts.
  const relevant = raw.filter((e) => e.keyword !== 'if' && !(e.keyword === 'propertyNames' && raw.some(isNestedNameError(e))));
  for (const e of relevant) {
    const { pointer, what, hint } = describe(e);
    const id = `${pointer}\0${what}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(errorAt(source, prefix + pointer, 'json/schema-violation', what, hint));
  }
  return out;
}

function isNestedNameError(parent: ErrorObject) {
  return (e: ErrorObject) => e !== parent && e.instancePath === parent.instancePath && e.propertyName !== undefined;
}

function describe(e: ErrorObject): { pointer: string; what: string; hint?: string } {
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const description = typeof parent.description === 'string' ? parent.description : undefined;
  const p = e.params as Record<string, any>;
  if (e.propertyName !== undefined) {
    const pointer = e.instancePath + pointerOf(e.propertyName);
    return { pointer, what: `invalid key '${e.propertyName}': ${nameRule(e)}`, hint: description };
  }
  switch (e.keyword) {
    case 'required': {
      const props = (parent.properties ?? {}) as Record<string, { description?: string }>;
      const field = p.missingProperty as string;
      return {
        pointer: e.instancePath,
        what: `missing required field '${field}'`,
        hint: props[field]?.description ? `Add "${field}": ${props[field].description}` : `Add "${field}".`,
      };
    }
    case 'additionalProperties': {
      const key = p.additionalProperty as string;
      const known = Object.keys((parent.properties ?? {}) as object);
      return {
        pointer: e.instancePath + pointerOf(key),
        what: `unknown key '${key}'${suggestion(key, known)}`,
        hint: known.length ? `Valid keys here: ${known.filter((k) => k !== '$schema').join(', ')}.` : undefined,
      };
    }
    case 'type':
      return { pointer: e.instancePath, what: `expected ${p.type}, got ${e.data === null ? 'null' : `${typeName(e.data)} ${preview(e.data)}`}`, hint: description };
    case 'const':
      return { pointer: e.instancePath, what: `expected ${JSON.stringify(p.allowedValue)}, got ${preview(e.data)}`, hint: description };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      return {
        pointer: e.instancePath,
        what: `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${preview(e.data)}${typeof e.data === 'string' ? suggestion(e.data, allowed) : ''}`,
      };
    }
    case 'pattern':
      return { pointer: e.instancePath, what: `${preview(e.data)} is not valid here (must match ${p.pattern})`, hint: description };
    default:
      return { pointer: e.instancePath, what: `${e.message ?? e.keyword}${e.data !== undefined ? `, got ${preview(e.data)}` : ''}`, hint: description };
  }
}

function nameRule(e: ErrorObject): string {
  const p = e.params as Record<string, any>;
  return e.keyword === 'pattern' ? `must match ${p.pattern}` : (e.message ?? e.keyword);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + '...' : text;
}
