import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';

/** libs/artefact/schemas/nbpr-artefact.schema.json: the contract, also for other readers of artefacts. */
export const ARTEFACT_SCHEMA_FILE = join(__dirname, '..', 'schemas', 'nbpr-artefact.schema.json');

let validate: ValidateFunction | undefined;

/**
 * Problems of `value` against the artefact schema, one line each ("/files/3/mode: must be
 * equal to one of the allowed values (420, 493), got 438"), or none. Compiled once per process.
 */
export function artefactSchemaProblems(value: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validate = ajv.compile(require(ARTEFACT_SCHEMA_FILE));
  }
  if (validate(value)) return [];
  const seen = new Set<string>();
  const problems: string[] = [];
  // 'if' and 'propertyNames' errors only echo the error beneath them.
  for (const error of (validate.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames')) {
    const line = describe(error);
    if (!seen.has(line)) problems.push(line);
    seen.add(line);
  }
  return problems;
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '/';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${at}: missing required field '${params.missingProperty}'`;
    case 'additionalProperties':
      return `${at}: unexpected field '${params.additionalProperty}'`;
    case 'enum':
      return `${at}: expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${preview(e.data)}`;
    case 'const':
      return `${at}: expected ${JSON.stringify(params.allowedValue)}, got ${preview(e.data)}`;
    default:
      return `${at}: ${e.message ?? e.keyword}, got ${preview(e.data)}`;
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
