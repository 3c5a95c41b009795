/**
 * Internal: an issuer's parent courses, the part of its course catalogue that micro-credentials stack towards, each
 * with its stacking rules (validated with the rules' JSON Schema and cross-field rules before it is stored).
 */
import { validateStackingRules } from '../../stacking/rules.js';
import type { RecordProblem } from '../../record/problems.js';
import { recordAudit } from '../../store/audit.js';
import { getParentCourse, listParentCourses, upsertParentCourse } from '../../store/stacking-rules.js';
import type { ParentCourseRow } from '../../store/stacking-rules.js';
import type { ServiceContext } from '../context.js';
import { canonicalJson, sha256Hex } from '../issuance.js';
import { HttpProblem, problems } from '../problem.js';

/** Course codes of parent courses: as the catalogue's (letters, digits and . _ -, at most 100). */
export const PARENT_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A parent course as the API shows it. */
export interface ParentCourse {
  issuer: string;
  code: string;
  title: string;
  rules: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

function entry(row: ParentCourseRow): ParentCourse {
  return { issuer: row.issuerSlug, code: row.code, title: String(row.rules.title ?? row.code), rules: row.rules, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/**
 * The 422 for rules that do not validate, every problem with its JSON path under `at` (`$` for a rules document
 * sent alone, `$.rules` inside a check request).
 *
 * @example
 * ```ts
 * throw rulesProblem(v.problems, '$.rules');
 * ```
 */
export function rulesProblem(list: RecordProblem[], at: string): HttpProblem {
  const moved = list.map((p) => {
    const path = at === '$' ? p.path : `${at}${p.path.slice(1)}`;
    return { ...p, path, message: `${path}${p.message.slice(p.path.length)}` };
  });
  return problems.invalid(
    'rules-invalid',
    'Invalid stacking rules',
    `The stacking rules have ${moved.length} problem${moved.length === 1 ? '' : 's'}: ${moved.map((p) => p.message).join('; ')}.`,
    { problems: moved },
  );
}

/**
 * Stores the rules of a parent course `code` of issuer `slug` (422 listing every problem; 422 when the rules name
 * another code in `parent.code`). `outcome` says whether it was new, changed or the same.
 *
 * @example
 * ```ts
 * const { course, outcome } = await putParentCourse(ctx, 'northbridge', 'BSC-COMP-TU', rules, { actor: 'api-key:ak_1' });
 * ```
 */
export async function putParentCourse(
  ctx: ServiceContext,
  slug: string,
  code: string,
  rules: unknown,
  options: { actor: string },
): Promise<{ course: ParentCourse; outcome: 'created' | 'changed' | 'unchanged' }> {
  await ctx.issuer(slug);
  if (!PARENT_CODE_RE.test(code)) throw problems.notFound(`There is no parent course ${JSON.stringify(code)} (codes are letters, digits and . _ -, at most 100).`);
  const v = validateStackingRules(rules);
  if (!v.ok) throw rulesProblem(v.problems, '$');
  const named = v.rules.parent?.code;
  if (named !== undefined && named !== code) {
    throw rulesProblem([{ path: '$.parent.code', expected: `the code of the URL, ${JSON.stringify(code)}`, found: JSON.stringify(named), message: `$.parent.code: expected the code of the URL, ${JSON.stringify(code)}, found ${JSON.stringify(named)}` }], '$');
  }
  const stored = v.rules as unknown as Record<string, unknown>;
  const result = await ctx.db.transaction(async (tx) => {
    const out = await upsertParentCourse(tx, { issuerSlug: slug, code, rules: stored, contentHash: sha256Hex(canonicalJson(stored)), actor: options.actor });
    if (out.outcome !== 'unchanged') {
      await recordAudit(tx, { actor: options.actor, issuerSlug: slug, action: `parent-course.${out.outcome}`, target: code });
    }
    return out;
  });
  return { course: entry(result.row), outcome: result.outcome };
}

/**
 * One parent course (404 when the issuer or the course is unknown).
 *
 * @example
 * ```ts
 * const { rules } = await parentCourse(ctx, 'northbridge', 'BSC-COMP-TU');
 * ```
 */
export async function parentCourse(ctx: ServiceContext, slug: string, code: string): Promise<ParentCourse> {
  await ctx.issuer(slug);
  const row = PARENT_CODE_RE.test(code) ? await getParentCourse(ctx.db, slug, code) : undefined;
  if (!row) throw problems.notFound(`Issuer ${slug} has no parent course ${JSON.stringify(code)}.`);
  return entry(row);
}

/**
 * An issuer's parent courses.
 *
 * @example
 * ```ts
 * const { parentCourses } = await parentCourseList(ctx, 'northbridge');
 * ```
 */
export async function parentCourseList(ctx: ServiceContext, slug: string): Promise<{ parentCourses: ParentCourse[] }> {
  await ctx.issuer(slug);
  return { parentCourses: (await listParentCourses(ctx.db, slug)).map(entry) };
}
