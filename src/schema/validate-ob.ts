import { createAjv, lazyValidator, readSchema, type ValidateFunction } from '../lib/ajv.js';
import { problemsFromAjv } from '../record/problems.js';

/** Result of a JSON Schema check. */
export interface SchemaCheck {
  valid: boolean;
  errors: { path: string; message: string }[];
}

/** Canonical URL of the official OB 3.0 AchievementCredential JSON Schema. */
export const OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

const obValidator = lazyValidator((): ValidateFunction => {
  // The bundled file's $id is not the canonical purl URL (DIGEST §0.13): register it under the
  // canonical URL so references and credentialSchema ids agree.
  const schema = { ...readSchema('ob-v3p0-achievementcredential.schema.json'), $id: OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL };
  const ajv = createAjv();
  ajv.addSchema(schema);
  return ajv.getSchema(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL) as ValidateFunction;
});

/** Canonical URL of the official OB 3.0 EndorsementCredential JSON Schema. */
export const OB_ENDORSEMENT_CREDENTIAL_SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json';

const endorsementValidator = lazyValidator((): ValidateFunction => {
  // Same caveat as above: the bundled file's $id is not the canonical purl URL.
  const schema = { ...readSchema('ob-v3p0-endorsementcredential.schema.json'), $id: OB_ENDORSEMENT_CREDENTIAL_SCHEMA_URL };
  const ajv = createAjv();
  ajv.addSchema(schema);
  return ajv.getSchema(OB_ENDORSEMENT_CREDENTIAL_SCHEMA_URL) as ValidateFunction;
});

/** Runs a compiled schema and turns ajv errors into `{ path, message }` sentences. */
function toSchemaCheck(validate: ValidateFunction, credential: unknown): SchemaCheck {
  if (validate(credential)) return { valid: true, errors: [] };
  return { valid: false, errors: problemsFromAjv(validate.errors).map((p) => ({ path: p.path, message: p.message })) };
}

/**
 * Validates a credential against the official OB 3.0 AchievementCredential JSON Schema
 * (draft 2019-09; `proof`, `type`, `credentialSchema` as arrays). The schema is compiled once,
 * on first use.
 *
 * @example
 * ```ts
 * const check = validateOpenBadgeSchema(credential);
 * if (!check.valid) console.error(check.errors.map((e) => e.message).join('\n'));
 * ```
 */
export function validateOpenBadgeSchema(credential: unknown): SchemaCheck {
  return toSchemaCheck(obValidator(), credential);
}

/**
 * Validates a credential against the official OB 3.0 EndorsementCredential JSON Schema (draft 2019-09), compiled
 * once, on first use.
 *
 * @example
 * ```ts
 * const check = validateEndorsementSchema(credential.endorsement[0]);
 * if (!check.valid) console.error(check.errors.map((e) => e.message).join('\n'));
 * ```
 */
export function validateEndorsementSchema(credential: unknown): SchemaCheck {
  return toSchemaCheck(endorsementValidator(), credential);
}
