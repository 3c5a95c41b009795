/**
 * The guard on the output of every build: what `buildCredential` returns must be a credential that verifiers
 * accept. The record and profile schemas are made so that valid input always passes; the guard is there so that
 * a bug in the mapping (or a schema change that lets something through) fails loudly at issuance instead of
 * being signed, stored and rejected by every verifier later.
 */
import { MicrocredError } from '../errors.js';
import { validateMicrocredProfile } from '../schema/validate-profile.js';
import { validateOpenBadgeSchema, type SchemaCheck } from '../schema/validate-ob.js';
import type { OpenBadgeCredential } from './types.js';

/** One check a built credential failed, and its errors (each with its JSON path). */
export interface BuiltCredentialFailure {
  /**
   * `finite-numbers`: a number JSON cannot carry (JSON.stringify writes Infinity and NaN as null);
   * `ob-schema`: the official OB 3.0 AchievementCredential JSON Schema;
   * `profile-schema`: microcred's micro-credential profile schema (the Annex I elements).
   */
  check: 'finite-numbers' | 'ob-schema' | 'profile-schema';
  errors: SchemaCheck['errors'];
}

/** True when every number under `value` is finite (the usual case, checked without allocating). */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!allFinite(value[i])) return false;
    return true;
  }
  for (const key in value) if (!allFinite((value as Record<string, unknown>)[key])) return false;
  return true;
}

/** The path and sentence of every non-finite number under `value`. */
function nonFiniteNumbers(value: unknown, path: string, out: SchemaCheck['errors']): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push({ path, message: `${path}: expected a finite number, found ${String(value)}` });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nonFiniteNumbers(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nonFiniteNumbers(v, `${path}.${k}`, out);
  }
}

/**
 * Throws `MicrocredError('BUILT_CREDENTIAL_INVALID')`, with the failed checks as `details`, unless the
 * credential holds only finite numbers and passes both the OB 3.0 schema and our profile schema (whatever its
 * `credentialSchema` lists: our own output must meet our profile).
 *
 * @example
 * ```ts
 * const credential = prune(built);
 * assertBuiltCredential(credential); // never throws for a validated record and profile
 * return credential;
 * ```
 */
export function assertBuiltCredential(credential: OpenBadgeCredential): void {
  const failures: BuiltCredentialFailure[] = [];
  if (!allFinite(credential)) {
    const errors: SchemaCheck['errors'] = [];
    nonFiniteNumbers(credential, '$', errors);
    failures.push({ check: 'finite-numbers', errors });
  }
  const ob = validateOpenBadgeSchema(credential);
  if (!ob.valid) failures.push({ check: 'ob-schema', errors: ob.errors });
  const profile = validateMicrocredProfile(credential);
  if (!profile.valid) failures.push({ check: 'profile-schema', errors: profile.errors });
  if (failures.length === 0) return;
  const lines = failures.flatMap((f) => f.errors.map((e) => `- ${f.check}: ${e.message}`));
  throw new MicrocredError(
    'BUILT_CREDENTIAL_INVALID',
    `buildCredential made a credential that fails ${failures.map((f) => f.check).join(', ')}, so it was not returned. ` +
      `Valid records and profiles never get here (a bug in the mapping): please report it with the record and options.\n${lines.join('\n')}`,
    failures,
  );
}
