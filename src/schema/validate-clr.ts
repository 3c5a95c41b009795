import { createAjv, lazyValidator, readSchema, type ValidateFunction } from '../lib/ajv.js';
import { problemsFromAjv } from '../record/problems.js';
import type { SchemaCheck } from './validate-ob.js';

/** Canonical URL of the official CLR 2.0 ClrCredential JSON Schema (also the bundled file's `$id`). */
export const CLR_CREDENTIAL_SCHEMA_URL = 'https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json';

/** The CLR 2.0 context microcred's transcripts use. */
export const CLR_CONTEXT = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';

const clrValidator = lazyValidator((): ValidateFunction => {
  const ajv = createAjv();
  ajv.addSchema(readSchema('clr-v2p0-clrcredential.schema.json'));
  return ajv.getSchema(CLR_CREDENTIAL_SCHEMA_URL) as ValidateFunction;
});

/**
 * True for a credential whose `type` includes `ClrCredential`.
 *
 * @example
 * ```ts
 * isClrCredential({ type: ['VerifiableCredential', 'ClrCredential'] }); // true
 * ```
 */
export function isClrCredential(credential: Record<string, unknown>): boolean {
  const t = credential.type;
  return (Array.isArray(t) ? t : [t]).includes('ClrCredential');
}

/**
 * Validates a credential against the official CLR 2.0 ClrCredential JSON Schema (draft 2019-09), compiled once on
 * first use. Nested credentials are checked by it only as generic verifiable credentials; the verifier checks each
 * one against its own schema.
 *
 * @example
 * ```ts
 * const check = validateClrSchema(clr);
 * if (!check.valid) console.error(check.errors.map((e) => e.message).join('\n'));
 * ```
 */
export function validateClrSchema(credential: unknown): SchemaCheck {
  const validate = clrValidator();
  if (validate(credential)) return { valid: true, errors: [] };
  return { valid: false, errors: problemsFromAjv(validate.errors).map((p) => ({ path: p.path, message: p.message })) };
}
