/**
 * Internal: a stacking check in the service. The set is verified with the service's verifier (this deployment's
 * documents from the database, everything else through the guarded fetch; suspensions of our own credentials),
 * against rules given with the request or an issuer's stored parent course.
 */
import { unbake } from '../../baking/unbake.js';
import { MicrocredError } from '../../errors.js';
import { checkStacking } from '../../stacking/check.js';
import { validateStackingRules } from '../../stacking/rules.js';
import type { StackingReport, StackingRules } from '../../stacking/types.js';
import type { ServiceContext } from '../context.js';
import { HttpProblem, problems } from '../problem.js';
import type { Verifier } from '../verification.js';
import type { CheckRequest } from './input.js';
import { parentCourse, rulesProblem } from './parent-courses.js';

/** The rules a request names: its own (422 listing every problem under `$.rules`) or a stored parent course. */
export async function requestRules(ctx: ServiceContext, request: Pick<CheckRequest, 'rules' | 'parentCourse'>): Promise<{ rules: StackingRules; from?: { issuer: string; code: string } }> {
  if (request.parentCourse) {
    const { issuer, code } = request.parentCourse;
    try {
      const pc = await parentCourse(ctx, issuer, code);
      return { rules: pc.rules as unknown as StackingRules, from: { issuer, code } };
    } catch (e) {
      if (e instanceof HttpProblem && e.status === 404) {
        throw new HttpProblem(404, 'parent-course-not-found', 'Parent course not found', `"parentCourse" names ${issuer}/${code}, which is not a parent course stored on this server.`, { parameter: { in: 'body', name: 'parentCourse' } });
      }
      throw e;
    }
  }
  const v = validateStackingRules(request.rules);
  if (!v.ok) throw rulesProblem(v.problems, '$.rules');
  return { rules: v.rules };
}

/** Reads a baked badge for the checker; an image that carries no credential is listed, not a failure of the request. */
async function unbakeImage(bytes: Uint8Array): Promise<string | Record<string, unknown>> {
  return unbake(bytes).credential;
}

/**
 * Checks a set against rules with the service's verifier.
 *
 * @example
 * ```ts
 * const report = await runStackingCheck(ctx, verifier, checkRequestFromJson(body));
 * report.met; report.sentences;
 * ```
 */
export async function runStackingCheck(
  ctx: ServiceContext,
  verifier: Verifier,
  request: CheckRequest,
  rulesIn?: StackingRules,
): Promise<StackingReport> {
  const rules = rulesIn ?? (await requestRules(ctx, request)).rules;
  try {
    return await checkStacking(
      { credentials: request.credentials, ...(request.presentation ? { presentation: request.presentation } : {}) },
      rules,
      {
        ...(request.learner ? { learner: request.learner } : {}),
        ...(request.challenge !== undefined ? { challenge: request.challenge } : {}),
        ...(request.domain !== undefined ? { domain: request.domain } : {}),
        unbake: unbakeImage,
        fetch: verifier.fetch,
        resolver: verifier.resolver,
        documentLoader: ctx.documentLoader,
        cryptosuite: ctx.cryptosuite,
        verifyCredential: (input) => verifier.credential(input),
        // A "trustList" selector names a list: an issuer is on it when that list (by its name) lists the issuer.
        isTrusted: async (issuerId, list) => (await verifier.trust.lookup(issuerId)).matches.some((m) => m.list === list),
      },
    );
  } catch (e) {
    if (e instanceof MicrocredError && e.code === 'RULES_INVALID') throw rulesProblem(e.details as never, '$.rules');
    throw e;
  }
}

/** The report as the API answers it: everything but the embedded credentials (the caller sent them). */
export function reportJson(report: StackingReport): Record<string, unknown> {
  return { ...report, credentials: report.credentials.map(({ credential: _c, ...use }) => use) };
}

/** The problem when the set does not meet the rules and a transcript was asked for. */
export function notMetProblem(report: StackingReport): HttpProblem {
  return problems.invalid('stacking-not-met', 'Rules not met', `${report.sentences[0] ?? 'The rules are not met.'} A transcript is issued only for a set that meets the rules; see "report".`, { report: reportJson(report) });
}

