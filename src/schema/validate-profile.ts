import { createStrictAjv, lazyValidator, readSchema, readSchemaText, type ErrorObject, type ValidateFunction } from '../lib/ajv.js';
import { profileExpected } from './profile-texts.js';
import { problemsFromAjv } from '../record/problems.js';
import type { SchemaCheck } from './validate-ob.js';

/**
 * Where, under a deployment's public URL, the service serves the profile schema
 * (`GET {publicUrl}/schemas/microcred-profile/v1.json`). That URL is the schema's id in the credentials the
 * deployment issues: every deployment is a home of the same schema, and the schema has no `$id` of its own.
 */
export const MICROCRED_PROFILE_SCHEMA_PATH = '/schemas/microcred-profile/v1.json';

/**
 * The id credentials listed before the schema was served: a w3id.org redirect that was never registered, so no one
 * can fetch it. Still recognised (such credentials keep verifying here); never issued.
 */
export const LEGACY_MICROCRED_PROFILE_SCHEMA_ID = 'https://w3id.org/microcred/schema/microcred-profile/v1.json';

/**
 * The profile schema's URL at a deployment: its public URL followed by {@link MICROCRED_PROFILE_SCHEMA_PATH}.
 *
 * @example
 * ```ts
 * microcredProfileSchemaUrl('https://credentials.example.ac.uk');
 * // 'https://credentials.example.ac.uk/schemas/microcred-profile/v1.json'
 * ```
 */
export function microcredProfileSchemaUrl(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '') + MICROCRED_PROFILE_SCHEMA_PATH;
}

/**
 * True for an http(s) URL, without query, fragment or user info, whose path ends in
 * {@link MICROCRED_PROFILE_SCHEMA_PATH}: the form of the id a deployment lists. Any host: see `checkProfile` for
 * why that is safe.
 *
 * @example
 * ```ts
 * isMicrocredProfileSchemaUrl('https://credentials.example.ac.uk/schemas/microcred-profile/v1.json'); // true
 * ```
 */
export function isMicrocredProfileSchemaUrl(id: string): boolean {
  if (/[?#]/.test(id)) return false;
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' &&
    url.pathname.endsWith(MICROCRED_PROFILE_SCHEMA_PATH);
}

/**
 * True when a `credentialSchema` id names microcred's profile: a deployment's URL for it, or the legacy w3id.org id.
 *
 * @example
 * ```ts
 * isMicrocredProfileSchemaId(LEGACY_MICROCRED_PROFILE_SCHEMA_ID); // true
 * ```
 */
export function isMicrocredProfileSchemaId(id: unknown): boolean {
  return typeof id === 'string' && (id === LEGACY_MICROCRED_PROFILE_SCHEMA_ID || isMicrocredProfileSchemaUrl(id));
}

const PROFILE_SCHEMA_FILE = 'microcred-profile.schema.json';

/**
 * The profile schema as published: the bundled file's text, byte for byte. The service serves it at
 * {@link microcredProfileSchemaUrl}; this library validates with the same file.
 *
 * @example
 * ```ts
 * res.type('application/schema+json').send(microcredProfileSchemaText());
 * ```
 */
export function microcredProfileSchemaText(): string {
  return readSchemaText(PROFILE_SCHEMA_FILE);
}

interface ProfileSchema {
  allOf: { title: string }[];
}
let titles: string[] = [];

// The bundled copy, compiled strict: what other verifiers fetch must load in a strict validator, and it is the only
// copy this library ever applies (a listed URL is never fetched).
const profileValidator = lazyValidator((): ValidateFunction => {
  const schema = readSchema(PROFILE_SCHEMA_FILE);
  titles = (schema as unknown as ProfileSchema).allOf.map((s) => s.title);
  return createStrictAjv().compile(schema);
});

/** "#/allOf/6/properties/…" -> "Annex I element 7: notional workload (ECTS, or hours without credit)". */
function elementOf(err: ErrorObject): string | undefined {
  const m = /^#\/allOf\/(\d+)\//.exec(err.schemaPath);
  return m ? titles[Number(m[1])] : undefined;
}

/**
 * True when the credential's `credentialSchema` (array or single object) names our profile schema (any id
 * {@link isMicrocredProfileSchemaId} accepts), i.e. when a verifier should run {@link validateMicrocredProfile}.
 *
 * @example
 * ```ts
 * const check = claimsMicrocredProfile(credential) ? validateMicrocredProfile(credential) : undefined;
 * ```
 */
export function claimsMicrocredProfile(credential: unknown): boolean {
  const schemas = (credential as { credentialSchema?: unknown } | null)?.credentialSchema;
  const list = Array.isArray(schemas) ? schemas : schemas !== undefined ? [schemas] : [];
  return list.some((s) => isMicrocredProfileSchemaId((s as { id?: unknown } | null)?.id));
}

/**
 * Validates a credential against microcred's profile schema (the copy bundled with this package), which requires
 * the Annex I mandatory elements (1–11) in their Open Badges homes. Each error names the Annex element it belongs to,
 * e.g. "Annex I element 7: notional workload (ECTS, or hours without credit): $.credentialSubject.achievement.alignment:
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
    for (const p of problemsFromAjv(errs, profileExpected)) errors.push({ path: p.path, message: element ? `${element}: ${p.message}` : p.message });
  }
  return { valid: false, errors };
}
