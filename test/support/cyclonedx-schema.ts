import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// The published CycloneDX 1.6 JSON schema as @cyclonedx/cyclonedx-library ships it (res/schema,
// its README lists the few edits: the refs renamed to the SNAPSHOT files, "format": "string"
// dropped), with the SPDX licence-id and JSF schemas it refers to.
const SCHEMA_DIR = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
const BASE = 'http://cyclonedx.org/schema/';
// Untyped: it ships no declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const addDraft2019Formats: (ajv: Ajv) => Ajv = require('ajv-formats-draft2019');

let validate: ValidateFunction | undefined;

/** Problems of `doc` against CycloneDX 1.6 (one line each: where, what), or none. Compiled once per process. */
export function cyclonedxProblems(doc: unknown): string[] {
  if (!validate) {
    // Strict, except strictRequired: the schema's oneOf branches require properties declared beside them, which is valid JSON Schema.
    const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
    // CycloneDX's own annotation (descriptions of enum values); it asserts nothing.
    ajv.addKeyword('meta:enum');
    addFormats(ajv);
    // iri-reference and idn-email, which ajv-formats lacks and the schema uses for URLs and e-mail addresses.
    addDraft2019Formats(ajv);
    const load = (file: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8'));
    // Added under the URLs the BOM schema's refs resolve to (its $id's directory), not their own $ids.
    for (const file of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) ajv.addSchema(load(file), `${BASE}${file}`);
    validate = ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));
  }
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'allowedValues' in e.params ? '' : ` ${JSON.stringify(e.params)}`}`);
}
