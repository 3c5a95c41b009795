/**
 * Reading what a verified credential says about credit, level, subjects and dates (internal to stacking).
 *
 * Credit with a stated unit: the `ext:UKCredits` / `ext:ECTS` alignments microcred writes (ALIGNMENT_TYPES), read
 * from any issuer that states them. Credit without a unit: OB's `creditsEarned` / `creditsAvailable` (credit hours
 * in OB's words), counted only through a per-issuer mapping of the rules. UK and ECTS credit convert at 2:1
 * (UK_CREDITS_PER_ECTS) and the facts say when they did.
 */
import { ALIGNMENT_TYPES } from '../credential/annex1.js';
import { eqfFor, FRAMEWORK_LEVELS } from '../record/levels.js';
import type { FrameworkLevel, LevelFramework } from '../record/types.js';
import { UK_CREDITS_PER_ECTS } from '../record/validate.js';
import type { CourseRef, CreditFacts, CreditSystem, LevelBound, StackingRules, SubjectFilter } from './types.js';

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);
const first = (v: unknown): Loose | undefined => obj(Array.isArray(v) ? v[0] : v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const FRAMEWORKS = Object.keys(FRAMEWORK_LEVELS) as LevelFramework[];

/** Converts between UK and ECTS credit. */
export function convertCredits(value: number, from: CreditSystem, to: CreditSystem): number {
  if (from === to) return value;
  return from === 'ECTS' ? value * UK_CREDITS_PER_ECTS : value / UK_CREDITS_PER_ECTS;
}

function numberCode(a: Loose | undefined): number | undefined {
  const code = a?.['targetCode'];
  const v = typeof code === 'number' ? code : typeof code === 'string' && /^\d+(\.\d+)?$/.test(code.trim()) ? Number(code) : NaN;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

function parseLevel(framework: LevelFramework, code: unknown): FrameworkLevel | undefined {
  const raw = typeof code === 'number' ? code : typeof code === 'string' ? (/^\d+$/.test(code) ? Number(code) : code) : undefined;
  return raw !== undefined && FRAMEWORK_LEVELS[framework].includes(raw as FrameworkLevel) ? (raw as FrameworkLevel) : undefined;
}

function issuerOf(credential: Loose): { id?: string; name?: string } {
  const issuer = credential['issuer'];
  if (typeof issuer === 'string') return { id: issuer };
  const o = obj(issuer);
  return { ...(str(o?.['id']) ? { id: o?.['id'] as string } : {}), ...(str(o?.['name']) ? { name: o?.['name'] as string } : {}) };
}

/**
 * What a credential says, with credits expressed in `rules.creditSystem` (undefined when they cannot be counted).
 *
 * @example
 * ```ts
 * const facts = readCreditFacts(report.credential, rules); // { credits: 30, level: { framework: 'FHEQ', level: 6, eqf: 6 }, … }
 * ```
 */
export function readCreditFacts(credential: Record<string, unknown>, rules: StackingRules): CreditFacts {
  const system: CreditSystem = rules.creditSystem ?? 'UK';
  const subject = first(credential['credentialSubject']);
  const achievement = obj(subject?.['achievement']);
  const alignments = (Array.isArray(achievement?.['alignment']) ? (achievement?.['alignment'] as unknown[]) : []).map(obj).filter((a): a is Loose => !!a);
  const byType = (t: string): Loose[] => alignments.filter((a) => a['targetType'] === t);
  const issuer = issuerOf(credential);

  const facts: CreditFacts = { converted: false, mapped: false, hecos: [], cah: [] };
  if (issuer.id) facts.issuerId = issuer.id;
  if (issuer.name) facts.issuerName = issuer.name;
  const name = str(achievement?.['name']) ?? str(credential['name']);
  if (name) facts.name = name;
  if (str(achievement?.['id'])) facts.achievementId = achievement?.['id'] as string;
  if (str(achievement?.['humanCode'])) facts.courseCode = achievement?.['humanCode'] as string;

  // Credit.
  const uk = numberCode(byType(ALIGNMENT_TYPES.ukCredits)[0]);
  const ects = numberCode(byType(ALIGNMENT_TYPES.ects)[0]);
  const own = system === 'UK' ? uk : ects;
  const other = system === 'UK' ? ects : uk;
  if (own !== undefined) {
    facts.credits = own;
    facts.stated = { value: own, system, source: 'alignment' };
  } else if (other !== undefined) {
    const from: CreditSystem = system === 'UK' ? 'ECTS' : 'UK';
    facts.credits = convertCredits(other, from, system);
    facts.stated = { value: other, system: from, source: 'alignment' };
    facts.converted = true;
  } else {
    const earned = subject?.['creditsEarned'];
    const available = achievement?.['creditsAvailable'];
    const bare = typeof earned === 'number' && earned > 0 ? earned : typeof available === 'number' && available > 0 ? available : undefined;
    if (bare !== undefined) {
      facts.stated = { value: bare, system: 'unknown', source: bare === earned ? 'creditsEarned' : 'creditsAvailable' };
      const mapping = rules.creditMappings?.find((m) => m.issuer === issuer.id);
      if (mapping) {
        const value = bare * (mapping.factor ?? 1);
        facts.credits = convertCredits(value, mapping.system, system);
        facts.mapped = true;
        facts.converted = mapping.system !== system;
      }
    }
  }

  // Level: the UK framework level (first one stated) and EQF (stated, else from the UK referencing).
  for (const fw of FRAMEWORKS) {
    const a = byType(ALIGNMENT_TYPES.level(fw))[0];
    const level = a ? parseLevel(fw, a['targetCode']) : undefined;
    if (level !== undefined) {
      facts.level = { framework: fw, level };
      break;
    }
  }
  const statedEqf = numberCode(byType(ALIGNMENT_TYPES.eqf)[0]);
  const eqf = statedEqf !== undefined && Number.isInteger(statedEqf) && statedEqf <= 8 ? statedEqf : facts.level ? eqfFor(facts.level.framework, facts.level.level) : undefined;
  if (eqf !== undefined) {
    facts.eqf = eqf;
    if (facts.level) facts.level.eqf = eqf;
  }

  // Subjects.
  facts.hecos = byType(ALIGNMENT_TYPES.hecos).map((a) => str(a['targetCode'])).filter((c): c is string => !!c);
  facts.cah = byType(ALIGNMENT_TYPES.cah).map((a) => str(a['targetCode'])).filter((c): c is string => !!c);

  // Dates.
  const completed = str(credential['awardedDate']) ?? str(subject?.['activityEndDate']) ?? str(credential['validFrom']) ?? str(credential['issuanceDate']);
  if (completed && /^\d{4}-\d{2}-\d{2}/.test(completed)) facts.completed = completed.slice(0, 10);
  const validFrom = str(credential['validFrom']) ?? str(credential['issuanceDate']);
  if (validFrom) facts.validFrom = validFrom;
  return facts;
}

/** The rank of a level within its framework (entry levels first). */
function rank(framework: LevelFramework, level: FrameworkLevel): number {
  return FRAMEWORK_LEVELS[framework].indexOf(level);
}

/**
 * Whether the credential is at or above `bound`. Same framework: by level. Different frameworks, or an EQF bound:
 * by EQF level (the UK referencing in `record/levels.ts`); `viaEqf` says that comparison was used.
 */
export function meetsLevel(facts: CreditFacts, bound: LevelBound | undefined): { ok: boolean; viaEqf: boolean } {
  if (!bound) return { ok: true, viaEqf: false };
  if (bound.framework !== 'EQF' && facts.level?.framework === bound.framework) {
    return { ok: rank(bound.framework, facts.level.level) >= rank(bound.framework, bound.atLeast), viaEqf: false };
  }
  const wanted = bound.framework === 'EQF' ? (bound.atLeast as number) : eqfFor(bound.framework, bound.atLeast);
  if (wanted === undefined || facts.eqf === undefined) return { ok: false, viaEqf: bound.framework !== 'EQF' };
  return { ok: facts.eqf >= wanted, viaEqf: bound.framework !== 'EQF' };
}

/** Whether the credential has one of the subjects (HECoS exactly, CAH by prefix). */
export function meetsSubjects(facts: CreditFacts, filter: SubjectFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.hecos?.some((h) => facts.hecos.includes(h))) return true;
  return !!filter.cah?.some((p) => facts.cah.some((c) => c === p || c.startsWith(`${p}-`)));
}

/** Whether the credential is the course `ref` names. */
export function isCourse(facts: CreditFacts, ref: CourseRef): boolean {
  if (ref.achievementId !== undefined && ref.achievementId === facts.achievementId) return true;
  return ref.code !== undefined && ref.code === facts.courseCode && (ref.issuer === undefined || ref.issuer === facts.issuerId);
}

/** How people name a course ref in the report. */
export function courseLabel(ref: CourseRef): string {
  const what = ref.title ?? ref.code ?? ref.achievementId ?? 'course';
  return ref.code && ref.title ? `${ref.title} (${ref.code})` : what;
}
