/**
 * What each rule of microcred's profile schema asks for, in words for people.
 *
 * The profile schema is published for other verifiers to fetch, so it is plain JSON Schema: no custom keywords (a
 * strict validator refuses them). The sentences live here instead, keyed by where a rule sits: its Annex I element
 * (the schema's allOf entries are elements 1 to 11, in order) and the credential property path it constrains.
 */
import type { ErrorObject } from '../lib/ajv.js';

/** Where a rule of the profile schema sits. */
export interface ProfileRuleKey {
  /** Annex I element, 1 to 11 (the schema's `allOf[element - 1]`). */
  element: number;
  /** Property names from the credential root, e.g. `['credentialSubject', 'achievement', 'alignment']`. */
  path: readonly string[];
}

export interface ProfileRuleText extends ProfileRuleKey {
  /** Completes "expected …": what the credential must hold there. */
  expected: string;
}

const ACHIEVEMENT = ['credentialSubject', 'achievement'] as const;
const ALIGNMENT = [...ACHIEVEMENT, 'alignment'] as const;

/** One entry per rule of `microcred-profile.schema.json` (a test checks that none is missing or stale). */
export const PROFILE_RULE_TEXTS: readonly ProfileRuleText[] = [
  { element: 1, path: ['credentialSubject'], expected: 'a credentialSubject.id or at least one credentialSubject.identifier' },
  { element: 2, path: [...ACHIEVEMENT, 'name'], expected: 'the title of the micro-credential' },
  { element: 2, path: [...ACHIEVEMENT, 'achievementType'], expected: '"MicroCredential"' },
  { element: 3, path: ['issuer'], expected: 'the issuer as a Profile object with an address' },
  { element: 3, path: ['issuer', 'address', 'addressCountryCode'], expected: 'an ISO 3166-1 alpha-2 country code' },
  { element: 4, path: ['issuer'], expected: 'the issuer as a Profile object with a name' },
  { element: 4, path: ['issuer', 'id'], expected: "the awarding body's identifier (a URI)" },
  { element: 4, path: ['issuer', 'name'], expected: "the awarding body's name" },
  { element: 5, path: ['validFrom'], expected: 'the date of issuing (validFrom, a date-time)' },
  { element: 6, path: [...ACHIEVEMENT, 'criteria', 'narrative'], expected: 'the learning outcomes described in words (criteria.narrative)' },
  { element: 6, path: ALIGNMENT, expected: 'at least one alignment with targetType "ext:LearningOutcome"' },
  { element: 7, path: ALIGNMENT, expected: 'an alignment with targetType "ext:ECTS" (the workload in ECTS credits) or, for a course without credit, "ext:NotionalWorkload" (the workload in hours)' },
  {
    element: 8,
    path: ALIGNMENT,
    expected: 'an alignment with targetType "ext:EQF" or a UK framework ("ext:FHEQ", "ext:SCQF", "ext:RQF", "ext:CQFW")',
  },
  { element: 9, path: ALIGNMENT, expected: 'an alignment with targetType "ext:AssessmentType"' },
  { element: 10, path: ALIGNMENT, expected: 'an alignment with targetType "ext:ParticipationMode"' },
  { element: 11, path: ALIGNMENT, expected: 'an alignment with targetType "ext:QualityAssurance"' },
];

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** The sentence for a rule, or undefined when the table has none. */
export function profileRuleText(key: ProfileRuleKey): string | undefined {
  return PROFILE_RULE_TEXTS.find((t) => t.element === key.element && samePath(t.path, key.path))?.expected;
}

/** `#/allOf/6/properties/a` -> ['allOf', '6', 'properties', 'a'] (JSON Pointer unescaping). */
function pointerSegments(schemaPath: string): string[] {
  const pointer = schemaPath.startsWith('#') ? schemaPath.slice(1) : schemaPath;
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The rule a schema location belongs to: `allOf/<i>` (element i + 1), then only `properties/<name>` and nested
 * `allOf/<j>` steps. Locations inside `anyOf`, `contains` etc. are parts of a rule, not rules: undefined.
 */
export function profileRuleKeyAt(segments: readonly string[]): ProfileRuleKey | undefined {
  if (segments[0] !== 'allOf' || !/^\d+$/.test(segments[1] ?? '')) return undefined;
  const path: string[] = [];
  for (let i = 2; i < segments.length; i += 2) {
    const step = segments[i];
    const arg = segments[i + 1];
    if (arg === undefined) return undefined;
    if (step === 'properties') path.push(arg);
    else if (step !== 'allOf' || !/^\d+$/.test(arg)) return undefined;
  }
  return { element: Number(segments[1]) + 1, path };
}

/** The sentence for a failed keyword of the profile schema (its location is the error's schemaPath minus the keyword). */
export function profileExpected(err: ErrorObject): string | undefined {
  const key = profileRuleKeyAt(pointerSegments(err.schemaPath).slice(0, -1));
  return key ? profileRuleText(key) : undefined;
}
