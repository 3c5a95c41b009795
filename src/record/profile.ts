import { createAjv, lazyValidator, readSchema } from '../lib/ajv.js';
import { shapeProblems } from './bounds.js';
import { problemsError, problemsFromAjv, type RecordProblem } from './problems.js';
import type { IssuerProfile } from './types.js';

export type ProfileValidation = { ok: true; profile: IssuerProfile } | { ok: false; problems: RecordProblem[] };

const profileValidator = lazyValidator(() => createAjv().compile(readSchema('issuer-profile.schema.json')));

/**
 * Validates an issuer profile (the awarding body: name, URL, country and ISO code, region, UKPRN,
 * logo, contact email), reporting every problem with its JSON path, expected and found.
 *
 * @example
 * ```ts
 * const v = validateProfile(JSON.parse(await readFile('keys.example/profile.json', 'utf8')));
 * if (!v.ok) console.error(v.problems.map((p) => p.message).join('\n'));
 * ```
 */
export function validateProfile(input: unknown): ProfileValidation {
  const shape = shapeProblems(input);
  if (shape.length) return { ok: false, problems: shape };
  const validate = profileValidator();
  if (!validate(input)) return { ok: false, problems: problemsFromAjv(validate.errors) };
  const profile = structuredClone(input) as IssuerProfile & Record<string, unknown>;
  // `_note` and other underscore fields are comments for people; they never reach a credential.
  for (const key of Object.keys(profile)) if (key.startsWith('_')) delete profile[key];
  return { ok: true, profile };
}

/**
 * Returns the validated profile or throws `MicrocredError('PROFILE_INVALID')` with the problems
 * as `details`.
 *
 * @example
 * ```ts
 * const profile = assertProfile(JSON.parse(await readFile(profilePath, 'utf8')));
 * ```
 */
export function assertProfile(input: unknown): IssuerProfile {
  const v = validateProfile(input);
  if (v.ok) return v.profile;
  throw problemsError('PROFILE_INVALID', 'The issuer profile', v.problems);
}
