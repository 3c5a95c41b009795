import { createAjv, lazyValidator, readSchema, type ErrorObject, type ValidateFunction } from '../lib/ajv.js';
import { problemsFromAjv } from '../record/problems.js';
import type { SchemaCheck } from './validate-ob.js';

/**
 * Id of microcred's micro-credential profile schema. A credential "claims" the profile when its
 * `credentialSchema` array has an entry with this id. Stable: a w3id.org permanent identifier
 * that is to redirect to `src/schemas/microcred-profile.schema.json` of the published package.
 */
export const MICROCRED_PROFILE_SCHEMA_ID = 'https://w3id.org/microcred/schema/microcred-profile/v1.json';

interface ProfileSchema {
  allOf: { title: string }[];
}
let titles: string[] = [];

const profileValidator = lazyValidator((): ValidateFunction => {
  const schema = readSchema('microcred-profile.schema.json');
  titles = (schema as unknown as ProfileSchema).allOf.map((s) => s.title);
  return createAjv().compile(schema);
});

/** "#/allOf/6/properties/…" -> "Annex I element 7: notional workload (ECTS)". */
function elementOf(err: ErrorObject): string | undefined {
  const m = /^#\/allOf\/(\d+)\//.exec(err.schemaPath);
  return m ? titles[Number(m[1])] : undefined;
}

/**
 * True when the credential's `credentialSchema` (array or single object) names our profile schema,
 * i.e. when a verifier should run {@link validateMicrocredProfile}.
 *
 * @example
 * ```ts
 * const check = claimsMicrocredProfile(credential) ? validateMicrocredProfile(credential) : undefined;
 * ```
 */
export function claimsMicrocredProfile(credential: unknown): boolean {
  const schemas = (credential as { credentialSchema?: unknown } | null)?.credentialSchema;
  const list = Array.isArray(schemas) ? schemas : schemas !== undefined ? [schemas] : [];
  return list.some((s) => (s as { id?: unknown } | null)?.id === MICROCRED_PROFILE_SCHEMA_ID);
}

/**
 * Validates a credential against microcred's profile schema, which requires the Annex I mandatory
 * elements (1–11) in their Open Badges homes. Each error names the Annex element it belongs to,
 * e.g. "Annex I element 7: notional workload (ECTS): $.credentialSubject.achievement.alignment:
 * expected an alignment with targetType "ext:ECTS" …, found a list of 12 items".
 *
 * @example
 * ```ts
 * if (claimsMicrocredProfile(credential)) {
 *   const check = validateMicrocredProfile(credential);
 *   if (!check.valid) report(check.errors);
 * }
 * ```
 */
export function validateMicrocredProfile(credential: unknown): SchemaCheck {
  const validate = profileValidator();
  if (validate(credential)) return { valid: true, errors: [] };
  // Group by Annex element so anyOf/contains branches are summarised within their element.
  const groups = new Map<string | undefined, ErrorObject[]>();
  for (const err of validate.errors ?? []) {
    const key = elementOf(err);
    groups.set(key, [...(groups.get(key) ?? []), err]);
  }
  const errors: SchemaCheck['errors'] = [];
  for (const [element, errs] of groups) {
    for (const p of problemsFromAjv(errs)) errors.push({ path: p.path, message: element ? `${element}: ${p.message}` : p.message });
  }
  return { valid: false, errors };
}
