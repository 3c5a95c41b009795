/**
 * Internal: turning an incoming completion record into the record that is issued, with the issuer's catalogue.
 *
 * - No course code, or a code the catalogue does not have: the record is validated as it is (the full-record form).
 * - A code the catalogue has: the record is completed from a catalogue version (merge rule in
 *   `record/catalogue.ts`). Which version:
 *   - `course.version` given: that version (a problem when the catalogue has no such version);
 *   - otherwise, when the record already has a credential: the version (or none) that reproduces that credential's
 *     record exactly, so sending a cohort again after the catalogue changed is idempotent ("already issued"), not a
 *     conflict. Unless `reissue` is asked for: a re-issue takes the current version;
 *   - otherwise the current version.
 * The hash function is passed in (it is the service's record hash), so this module depends on no issuing code.
 */
import { catalogueReference, unknownCourseProblem, validateWithCourse } from '../record/catalogue.js';
import type { CatalogueReference } from '../record/catalogue.js';
import type { CompletionRecord } from '../record/types.js';
import { validateRecord } from '../record/validate.js';
import type { RecordProblem } from '../record/problems.js';
import type { CatalogueSnapshot } from '../store/courses.js';

export type ResolvedRecord =
  | { ok: true; record: CompletionRecord; recordHash: string; courseVersion?: number }
  | { ok: false; problems: RecordProblem[] };

/**
 * What {@link resolveRecord} needs to know about a record before reading the database: its recordId and
 * catalogue reference (for {@link catalogueSnapshot}).
 *
 * @example
 * ```ts
 * const snap = await catalogueSnapshot(db, slug, inputs.map(lookupKey));
 * ```
 */
export function lookupKey(input: unknown): { recordId?: string } & Partial<CatalogueReference> {
  const recordId = (input as { recordId?: unknown } | null)?.recordId;
  const ref = catalogueReference(input);
  // Only text the database can hold is looked up (not NUL, not a lone surrogate, not absurdly long): anything else
  // cannot match and is reported by validation, which runs next.
  const storable = (v: string): boolean => v.length <= 1000 && storableText(v);
  return {
    ...(typeof recordId === 'string' && storable(recordId) ? { recordId } : {}),
    ...(ref && storable(ref.code) ? ref : {}),
  };
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether PostgreSQL can hold the text (in text and jsonb columns): no NUL character, no unpaired surrogate.
 *
 * @example
 * ```ts
 * storableText('A\u0000B'); // false
 * ```
 */
export function storableText(v: string): boolean {
  return !UNSTORABLE.test(v);
}

/**
 * The JSON path of the first text in `value` (keys included) that the database cannot hold, or undefined.
 *
 * @example
 * ```ts
 * unstorablePath({ learner: { fullName: 'A\u0000' } }); // '$.learner.fullName'
 * ```
 */
export function unstorablePath(value: unknown, path = '$'): string | undefined {
  if (typeof value === 'string') return storableText(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = unstorablePath(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const child = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      if (!storableText(k)) return child;
      const p = unstorablePath(v, child);
      if (p) return p;
    }
  }
  return undefined;
}

/**
 * Resolves one record against a snapshot (see the module description). `hash` is the record hash the credentials
 * table stores.
 *
 * @example
 * ```ts
 * const r = resolveRecord(input, snap, { hash: (rec) => sha256Hex(canonicalJson(rec)) });
 * if (r.ok) issue(r.record, r.recordHash);
 * ```
 */
export function resolveRecord(
  input: unknown,
  snap: CatalogueSnapshot,
  options: { reissue?: boolean; hash(record: CompletionRecord): string },
): ResolvedRecord {
  const ref = catalogueReference(input);
  const versions = ref ? (snap.versions.get(ref.code) ?? []) : [];
  const plain = (): ResolvedRecord => {
    const v = validateRecord(input);
    return v.ok ? { ok: true, record: v.record, recordHash: options.hash(v.record) } : v;
  };
  if (!ref || versions.length === 0) {
    if (ref?.version !== undefined) {
      // A version is only meaningful for a course of the catalogue; report it with the record's other problems.
      const v = validateRecord(input);
      return { ok: false, problems: [unknownCourseProblem(ref, []), ...(v.ok ? [] : v.problems.filter((p) => p.path !== '$.course.version'))] };
    }
    return plain();
  }
  const withVersion = (version: number): ResolvedRecord => {
    const course = snap.courses.get(ref.code)?.get(version);
    if (!course) return { ok: false, problems: [unknownCourseProblem({ ...ref, version }, versions)] };
    const v = validateWithCourse(input, { code: ref.code, version, course });
    return v.ok ? { ok: true, record: v.record, recordHash: options.hash(v.record), courseVersion: version } : v;
  };
  if (ref.version !== undefined) {
    return versions.includes(ref.version) ? withVersion(ref.version) : { ok: false, problems: [unknownCourseProblem(ref, versions)] };
  }
  const current = snap.current.get(ref.code) as number;
  const recordId = (input as { recordId?: unknown }).recordId;
  const existing = typeof recordId === 'string' ? (snap.existing.get(recordId) ?? []) : [];
  if (!options.reissue && existing.length > 0) {
    const hashes = new Set(existing.map((e) => e.recordHash));
    // The versions the record's credentials were issued from (none = the full-record form), current one last.
    const tried = new Set<number | undefined>();
    for (const e of existing) {
      const v = e.courseCode === ref.code ? e.courseVersion : undefined;
      if (tried.has(v) || v === current) continue;
      tried.add(v);
      const candidate = v === undefined ? plain() : withVersion(v);
      if (candidate.ok && hashes.has(candidate.recordHash)) return candidate;
    }
  }
  return withVersion(current);
}
