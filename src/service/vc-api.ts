/**
 * Internal: the W3C VC-API (VCALM) operations over the service's issuing, status and verification functions: what
 * a status request means, and the result objects of credential and presentation verification.
 */
import { getCredential } from '../store/credentials.js';
import type { CredentialRow } from '../store/credentials.js';
import type { VerificationReport } from '../verify/verify.js';
import type { ServiceContext } from './context.js';
import { changeStatus } from './issuance.js';
import { PROBLEM_BASE, problems } from './problem.js';
import type { PresentationReport } from './verification.js';

/** A status request: set or clear one purpose's bit of a credential. */
export interface StatusRequest {
  purpose: 'revocation' | 'suspension';
  set: boolean;
}

/**
 * What a `POST /credentials/status` body asks. Current VCALM: `{credentialStatus: {type, statusPurpose}, status:
 * boolean}`; the 2021-22 drafts: `{credentialStatus: [{type, status: "0"|"1"}]}` (revocation unless it says).
 *
 * @example
 * ```ts
 * statusRequest({ credentialStatus: { statusPurpose: 'suspension' }, status: true }); // { purpose: 'suspension', set: true }
 * ```
 */
export function statusRequest(body: Readonly<Record<string, unknown>>): StatusRequest {
  const cs = body.credentialStatus;
  let purpose: unknown;
  let set: unknown = body.status;
  if (Array.isArray(cs)) {
    const first = cs[0] as { statusPurpose?: unknown; status?: unknown } | undefined;
    purpose = first?.statusPurpose ?? 'revocation';
    set = first?.status === '1' || first?.status === 1 || first?.status === true;
  } else if (cs && typeof cs === 'object') {
    purpose = (cs as { statusPurpose?: unknown }).statusPurpose;
  }
  if (purpose !== 'revocation' && purpose !== 'suspension') {
    throw problems.badRequest(`credentialStatus.statusPurpose must be "revocation" or "suspension"; found ${JSON.stringify(purpose)}.`);
  }
  if (typeof set !== 'boolean') throw problems.badRequest(`status must be true (set) or false (clear); found ${JSON.stringify(set)}.`);
  return { purpose, set };
}

/**
 * Applies a status request to a credential of the issuer. Clearing a revocation is a 409 (revocation is permanent);
 * clearing one that was never set changes nothing.
 *
 * @example
 * ```ts
 * const row = await applyStatusRequest(ctx, 'northbridge', credentialId, { purpose: 'revocation', set: true }, 'withdrawn', actor);
 * ```
 */
export async function applyStatusRequest(ctx: ServiceContext, issuerSlug: string, credentialId: string, request: StatusRequest, reason: string, actor: string): Promise<CredentialRow> {
  const existing = await getCredential(ctx.db, issuerSlug, credentialId);
  if (!existing) throw problems.notFound(`This issuer has no credential ${JSON.stringify(credentialId)}.`);
  if (request.purpose === 'suspension') return changeStatus(ctx, issuerSlug, existing.id, request.set ? 'suspend' : 'unsuspend', reason, actor);
  if (request.set) return changeStatus(ctx, issuerSlug, existing.id, 'revoke', reason, actor);
  if (existing.status === 'revoked') throw problems.conflict('Revocation is permanent and cannot be cleared.');
  return existing;
}

/** Whether VC-API `options.checks` (e.g. ["proof"] or ["proof", "credentialStatus"]) asks for the status check; absent: yes. */
export function wantsStatusCheck(options: unknown): boolean {
  const checks = (options as { checks?: unknown } | undefined)?.checks;
  return !Array.isArray(checks) || checks.includes('credentialStatus') || checks.includes('status');
}

/** The VC-API result of verifying a credential: the checks, warnings, errors and one problem detail per failed check. */
export function credentialVerificationResult(report: VerificationReport): Record<string, unknown> {
  const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown');
  return {
    verified: report.verified,
    ...(report.format ? { format: report.format } : {}),
    checks: report.checks,
    warnings: report.checks.filter((c) => c.status === 'warning').map((c) => c.message),
    errors: failed.map((c) => c.message),
    problemDetails: failed.map((c) => ({ type: `${PROBLEM_BASE}check-${c.id}`, title: `${c.id} check ${c.status === 'fail' ? 'failed' : 'could not be completed'}`, detail: c.message })),
    ...(report.credential ? { credential: report.credential } : {}),
  };
}

/** The VC-API result of verifying a presentation: its own result, each credential's, and the errors of both. */
export function presentationVerificationResult(report: PresentationReport): Record<string, unknown> {
  const errors = [
    ...(report.presentation.verified ? [] : [report.presentation.message]),
    ...report.credentials.flatMap((c, i) => c.checks.filter((k) => k.status === 'fail' || k.status === 'unknown').map((k) => `credential ${i}: ${k.message}`)),
  ];
  return {
    verified: report.verified,
    presentationResult: report.presentation,
    credentialResults: report.credentials.map((c) => ({ verified: c.verified, checks: c.checks })),
    errors,
    problemDetails: errors.map((detail) => ({ type: `${PROBLEM_BASE}presentation-invalid`, title: 'Presentation check failed', detail })),
  };
}
