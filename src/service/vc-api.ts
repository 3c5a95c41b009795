/**
 * Internal: the W3C VC-API (VCALM) operations over the service's issuing, status and verification functions: what
 * an issue request's options and a status request mean, which presentations are refused before verifying, and the
 * result objects of credential and presentation verification.
 */
import { isCryptosuiteName } from '../keyset/cryptosuites.js';
import { isCompactJws } from '../lib/jws.js';
import type { JwsAlg, JwtProfile } from '../proof/jwt.js';
import { getCredential } from '../store/credentials.js';
import type { CredentialRow } from '../store/credentials.js';
import type { StatusPurpose } from '../store/status-lists.js';
import { checkPresentation } from '../vcdm/conformance.js';
import type { VerificationReport } from '../verify/verify.js';
import type { ServiceContext } from './context.js';
import { changeStatus, statusEntry } from './issuance.js';
import type { VcApiIssueOptions } from './issuance.js';
import { describeValue } from './params.js';
import { HttpProblem, PROBLEM_BASE, problems } from './problem.js';
import type { PresentationReport } from './verification.js';

/** The status entry types the service allocates and updates (VCALM's example names the list type; both are read). */
const STATUS_TYPES = ['BitstringStatusListEntry', 'BitstringStatusList'];

/** A 400 naming one field of the request, with the problem in the `problems` list (path, expected, found). */
function fieldProblem(path: string, expected: string, found: unknown): HttpProblem {
  const message = `${path}: expected ${expected}, found ${describeValue(found)}.`;
  return problems.badRequest(message, { problems: [{ path, expected, found: describeValue(found), message }] });
}

/** The purposes of one `credentialStatus` request item (`{type, statusPurpose}`), checked. */
function requestedPurpose(item: unknown, path: string): StatusPurpose {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw fieldProblem(path, '{"type": "BitstringStatusListEntry", "statusPurpose": "revocation" | "suspension"}', item);
  const { type, statusPurpose } = item as { type?: unknown; statusPurpose?: unknown };
  if (type !== undefined && !STATUS_TYPES.includes(type as string)) throw fieldProblem(`${path}.type`, '"BitstringStatusListEntry" (the status entries this service allocates)', type);
  if (statusPurpose !== 'revocation' && statusPurpose !== 'suspension') throw fieldProblem(`${path}.statusPurpose`, '"revocation" or "suspension"', statusPurpose);
  return statusPurpose;
}

/**
 * The options of a VC-API issue request (`options`, whose fields the route's declaration has checked): the proof
 * (`format` di or jwt, inferred as jwt from `alg` or `profile`; `cryptosuite` for di, `alg` and `profile` for jwt), the
 * `credentialId`, and the status purposes `options.credentialStatus` asks for: one `{type:
 * "BitstringStatusListEntry", statusPurpose}` or a list of them (default: revocation).
 *
 * @example
 * ```ts
 * issueRequestOptions({ cryptosuite: 'ecdsa-rdfc-2019', credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'suspension' } });
 * // { proof: { format: 'di', cryptosuite: 'ecdsa-rdfc-2019' }, statusPurposes: ['suspension'] }
 * ```
 */
export function issueRequestOptions(options: unknown): Omit<VcApiIssueOptions, 'actor'> {
  const o = (options !== null && typeof options === 'object' && !Array.isArray(options) ? options : {}) as Record<string, unknown>;
  const format = o.format ?? (o.alg !== undefined || o.profile !== undefined ? 'jwt' : 'di');
  if (format === 'di' && (o.alg !== undefined || o.profile !== undefined)) {
    throw fieldProblem(o.alg !== undefined ? 'options.alg' : 'options.profile', 'no JWT option with format "di" (alg and profile apply to format "jwt")', o.alg ?? o.profile);
  }
  if (format === 'jwt' && o.cryptosuite !== undefined) throw fieldProblem('options.cryptosuite', 'no cryptosuite with format "jwt" (cryptosuites apply to format "di")', o.cryptosuite);
  const proof: VcApiIssueOptions['proof'] =
    format === 'jwt'
      ? { format, ...(o.alg !== undefined ? { alg: o.alg as JwsAlg } : {}), ...(o.profile !== undefined ? { profile: o.profile as JwtProfile } : {}) }
      : { format: 'di', ...(isCryptosuiteName(o.cryptosuite) ? { cryptosuite: o.cryptosuite } : {}) };
  const cs = o.credentialStatus;
  let statusPurposes: StatusPurpose[] | undefined;
  if (cs !== undefined) {
    if (Array.isArray(cs) && cs.length === 0) throw fieldProblem('options.credentialStatus', 'one status request or a non-empty list (every credential gets a status entry)', cs);
    statusPurposes = [...new Set(Array.isArray(cs) ? cs.map((item, i) => requestedPurpose(item, `options.credentialStatus[${i}]`)) : [requestedPurpose(cs, 'options.credentialStatus')])];
  }
  return { proof, ...(typeof o.credentialId === 'string' ? { credentialId: o.credentialId } : {}), ...(statusPurposes ? { statusPurposes } : {}) };
}

/** A status request: set or clear one purpose's bit of a credential, optionally naming the entry (checked against it). */
export interface StatusRequest {
  purpose: StatusPurpose;
  set: boolean;
  /** The entry's `id`, `statusListIndex` and `statusListCredential` when the request names them. */
  entry?: { id?: unknown; statusListIndex?: unknown; statusListCredential?: unknown };
}

/**
 * What a `POST /credentials/status` body asks. Current VCALM: `{credentialStatus: {type, statusPurpose, id?,
 * statusListIndex?, statusListCredential?}, status: boolean}`, where an absent `status` sets it (the W3C Bitstring
 * Status List suite sends none); the 2021-22 drafts: `{credentialStatus: [{type, status: "0"|"1"}]}` (revocation
 * unless it says).
 *
 * @example
 * ```ts
 * statusRequest({ credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'suspension' }, status: true }); // { purpose: 'suspension', set: true, entry: {} }
 * ```
 */
export function statusRequest(body: Readonly<Record<string, unknown>>): StatusRequest {
  const cs = body.credentialStatus;
  if (Array.isArray(cs)) {
    const first = cs[0] as { statusPurpose?: unknown; status?: unknown } | undefined;
    const purpose = first?.statusPurpose ?? 'revocation';
    if (purpose !== 'revocation' && purpose !== 'suspension') throw fieldProblem('credentialStatus[0].statusPurpose', '"revocation" or "suspension"', purpose);
    return { purpose, set: first?.status === '1' || first?.status === 1 || first?.status === true };
  }
  if (cs === null || typeof cs !== 'object') throw fieldProblem('credentialStatus', '{"type": "BitstringStatusListEntry", "statusPurpose": …}', cs);
  const { type, statusPurpose, id, statusListIndex, statusListCredential } = cs as Record<string, unknown>;
  if (type !== undefined && !STATUS_TYPES.includes(type as string)) throw fieldProblem('credentialStatus.type', '"BitstringStatusListEntry"', type);
  if (statusPurpose !== 'revocation' && statusPurpose !== 'suspension') {
    throw problems.badRequest(`credentialStatus.statusPurpose must be "revocation" or "suspension"; found ${JSON.stringify(statusPurpose)}.`);
  }
  const set = body.status ?? true;
  if (typeof set !== 'boolean') throw problems.badRequest(`status must be true (set) or false (clear); found ${JSON.stringify(set)}.`);
  const entry = Object.fromEntries(Object.entries({ id, statusListIndex, statusListCredential }).filter(([, v]) => v !== undefined));
  return { purpose: statusPurpose, set, entry };
}

/** The number of the issuer's list a stored credential's index is in (every entry names a list of that number). */
function listSeq(row: CredentialRow): number {
  return Number((row.statusEntries[0]?.statusListCredential as string | undefined)?.split('/').pop());
}

/** A status request naming an entry must name this credential's entry of that purpose (a 400 naming the member otherwise). */
function checkNamedEntry(ctx: ServiceContext, row: CredentialRow, request: StatusRequest): void {
  const named = request.entry ?? {};
  if (Object.keys(named).length === 0) return;
  const ours = statusEntry(ctx, row.issuerSlug, request.purpose, { listId: row.statusListId, seq: listSeq(row), index: row.statusIndex });
  for (const key of ['statusListCredential', 'statusListIndex', 'id'] as const) {
    const value = named[key];
    if (value !== undefined && String(value) !== ours[key]) {
      throw fieldProblem(`credentialStatus.${key}`, `this credential's ${request.purpose} entry (${key} ${JSON.stringify(ours[key])}), or nothing`, value);
    }
  }
}

/**
 * Applies a status request to a credential of the issuer. Clearing a revocation is a 409 (revocation is permanent);
 * clearing one that was never set changes nothing. The credential holds the same index in the issuer's revocation
 * and suspension lists, so either purpose can be set whichever entries it carries.
 *
 * @example
 * ```ts
 * const row = await applyStatusRequest(ctx, 'northbridge', credentialId, { purpose: 'revocation', set: true }, 'withdrawn', actor);
 * ```
 */
export async function applyStatusRequest(ctx: ServiceContext, issuerSlug: string, credentialId: string, request: StatusRequest, reason: string, actor: string): Promise<CredentialRow> {
  const existing = await getCredential(ctx.db, issuerSlug, credentialId);
  if (!existing) throw problems.notFound(`This issuer has no credential ${JSON.stringify(credentialId)}.`);
  checkNamedEntry(ctx, existing, request);
  if (request.purpose === 'suspension') return changeStatus(ctx, issuerSlug, existing.id, request.set ? 'suspend' : 'unsuspend', reason, actor);
  if (request.set) return changeStatus(ctx, issuerSlug, existing.id, 'revoke', reason, actor);
  if (existing.status === 'revoked') throw problems.conflict('Revocation is permanent and cannot be cleared.');
  return existing;
}

const CREDENTIAL_AS_TEXT =
  'a credential object, an EnvelopedVerifiableCredential or a compact JWT; it is a string that is not a JWT (send the credential as a JSON object, not as JSON text in a string)';

/**
 * The problem of a presentation that must not be verified, or undefined: a credential inside sent as JSON text in a
 * string (400, as the credential route answers), or a presentation that breaks a VC Data Model rule (422 listing
 * every problem with its path and rule: no `type`, a credential without `type`, an enveloped credential without
 * `type` or `@context`, a credential as text in a VC 2.0 presentation, …).
 *
 * @example
 * ```ts
 * const refused = presentationRefusal(body.verifiablePresentation);
 * if (refused) throw refused;
 * ```
 */
export function presentationRefusal(presentation: Record<string, unknown>, at = '$.verifiablePresentation'): HttpProblem | undefined {
  const listed = presentation.verifiableCredential;
  const items = listed === undefined ? [] : Array.isArray(listed) ? listed : [listed];
  const asText = items.findIndex((item) => typeof item === 'string' && !isCompactJws(item));
  if (asText >= 0) {
    const path = `${at}.verifiableCredential${Array.isArray(listed) ? `[${asText}]` : ''}`;
    const message = `${path}: expected ${CREDENTIAL_AS_TEXT}.`;
    return problems.badRequest(message, { problems: [{ path, expected: 'a credential object or a compact JWT', found: 'a string that is not a JWT', message }] });
  }
  const errors = checkPresentation(presentation).problems.filter((p) => p.severity === 'error');
  if (errors.length === 0) return undefined;
  const list = errors.map((p) => {
    const path = p.path.replace(/^\$/, at);
    return { rule: p.rule, path, expected: p.expected, found: p.found, message: p.message.replace(p.path, path) };
  });
  return problems.invalid(
    'presentation-invalid',
    'Not a conforming presentation',
    `The presentation breaks ${errors.length} rule${errors.length === 1 ? '' : 's'} of the VC Data Model, so it is not verified; see "problems" for each, with its JSON path and rule.`,
    { problems: list },
  );
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
