import { join } from 'node:path';
import type Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';

/** The JSON Schemas NBPR validates its files against; files reference them with `$schema` for editors. */
export const SCHEMA_DIR = join(__dirname, '..', '..', 'schemas');

export const schemaFiles = {
  package: 'nbpr.schema.json',
  firmware: 'nbpr.firmware.schema.json',
  pluginOptions: 'plugin-options.schema.json',
} as const;

export type SchemaName = keyof typeof schemaFiles;

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

/** Compiled once per process: compiling is the slow part, and createNodes runs often. */
export function validatorFor(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    // verbose: errors carry their parent schema, which is where the valid keys for a
    // "did you mean" and the human description of a pattern come from.
    // Required here, not imported: ajv takes ~40 ms to load, and `nbpr system-id` (run by Nx
    // hashing on every invocation) reaches this module without validating anything.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ajv ??= new (require('ajv/dist/2020').default as typeof Ajv2020)({ strict: true, allowUnionTypes: true, allErrors: true, verbose: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validate = ajv.compile(require(join(SCHEMA_DIR, schemaFiles[name])));
    compiled.set(name, validate);
  }
  return validate;
}
