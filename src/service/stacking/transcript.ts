/**
 * Internal: the signed result of a met stacking check, a CLR 2.0 `ClrCredential` signed with the issuer's key
 * (Data Integrity eddsa-rdfc-2022). It embeds the credentials that counted as they were verified; nothing is stored
 * but the audit entry (the transcript is the caller's to keep).
 */
import { issueCredential } from '../../issue.js';
import { buildClrCredential } from '../../stacking/clr.js';
import type { StackingReport } from '../../stacking/types.js';
import { recordAudit } from '../../store/audit.js';
import type { ServiceContext } from '../context.js';
import type { Verifier } from '../verification.js';
import type { CheckRequest } from './input.js';
import { notMetProblem, reportJson, runStackingCheck } from './check.js';
import { resolveExchange } from './exchange.js';

/**
 * Checks the set and, when it meets the rules, signs its CLR 2.0 transcript as issuer `slug`.
 *
 * @throws HttpProblem 422 `stacking-not-met` (with the report) when the rules are not met; as `runStackingCheck`.
 * @example
 * ```ts
 * const { verifiableCredential, report } = await signTranscript(ctx, verifier, 'northbridge', request, { actor: 'api-key:ak_1' });
 * ```
 */
export async function signTranscript(
  ctx: ServiceContext,
  verifier: Verifier,
  slug: string,
  request: CheckRequest,
  options: { actor: string },
): Promise<{ verifiableCredential: Record<string, unknown>; report: Record<string, unknown> }> {
  const issuer = await ctx.issuer(slug);
  const resolved = await resolveExchange(ctx, request);
  const report: StackingReport = await runStackingCheck(ctx, verifier, resolved.request, resolved.rules);
  if (!report.met) throw notMetProblem(report);
  const clr = buildClrCredential(report, {
    issuerId: issuer.keys.controller,
    issuerName: issuer.row.profile.name,
    ...(issuer.row.profile.url ? { issuerUrl: issuer.row.profile.url } : {}),
  });
  const signed = (await issueCredential(clr, { format: 'di', keys: issuer.keys, documentLoader: ctx.documentLoader, cryptosuite: ctx.cryptosuite })) as Record<string, unknown>;
  await recordAudit(ctx.db, {
    actor: options.actor,
    issuerSlug: slug,
    action: 'stacking.transcript',
    target: String(signed.id),
    details: { rules: report.rules.id ?? report.rules.title, counted: report.totals.counted, system: report.totals.system, credentials: report.credentials.filter((c) => c.status === 'counted').length },
  });
  return { verifiableCredential: signed, report: reportJson(report) };
}
