/**
 * Internal: receiving a learner's set of credentials from a wallet, as a VC-API exchange the Learner Credential
 * Wallet speaks. Staff start it (the rules, or a stored parent course, are fixed then) and get two URLs: the
 * interaction URL for the QR code (`?iuv=1` → `{protocols: {vcapi}}`) and the URL of the result. The wallet:
 * 1. `POST {}` to the exchange → a `verifiablePresentationRequest` with a `QueryByExample` for Open Badges
 *    credentials and `DIDAuthentication`, a fresh `challenge` and the deployment's `domain`;
 * 2. `POST {verifiablePresentation}` to the same URL (LCW ignores `interact`) → challenge, domain, signature and
 *    signer = holder are checked (the wallet delivery's DIDAuth check), the set is checked against the rules, and
 *    the exchange is complete; a replayed presentation is refused.
 */
import { createHmac } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import { completeStackingExchange, findStackingExchange, insertStackingExchange, setStackingChallenge } from '../../store/stacking-rules.js';
import type { StackingExchangeRow } from '../../store/stacking-rules.js';
import type { StackingRules } from '../../stacking/types.js';
import type { ServiceContext } from '../context.js';
import { HttpProblem, problems } from '../problem.js';
import type { Verifier } from '../verification.js';
import { presentationChallenge, verifyDidAuth } from '../wallet/holder.js';
import { hashSecret, newSecret } from '../wallet/secrets.js';
import { reportJson, requestRules, runStackingCheck } from './check.js';
import type { CheckRequest } from './input.js';

/** How long staff and learner have to complete an exchange; the result is deleted some time after. */
export const STACKING_EXCHANGE_TTL_SECONDS = 30 * 60;

/**
 * The wallet's secret, derived from the staff member's: the result page can show the QR code again while the
 * exchange waits, and the wallet's URL reveals nothing of the result's.
 */
function walletSecretOf(viewSecret: string): string {
  return createHmac('sha256', viewSecret).update('microcred stacking exchange', 'utf8').digest('base64url');
}

/** The URLs of one exchange. */
export function stackingUrls(publicUrl: string, walletSecret: string, viewSecret: string) {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    interaction: `${base}/stacking/interactions/${walletSecret}?iuv=1`,
    exchange: `${base}/stacking/exchanges/${walletSecret}`,
    result: `${base}/stacking/results/${viewSecret}`,
    page: `${base}/stacking/wallet/${viewSecret}`,
  };
}

export interface StartedExchange {
  id: string;
  expiresAt: string;
  urls: ReturnType<typeof stackingUrls>;
  rules: { title: string; parentCourse?: { issuer: string; code: string } };
}

/**
 * Starts an exchange for the rules of a request (its own, or a stored parent course).
 *
 * @example
 * ```ts
 * const started = await startStackingExchange(ctx, { parentCourse: { issuer: 'northbridge', code: 'BSC-COMP-TU' } });
 * started.urls.interaction; // for the QR code
 * ```
 */
export async function startStackingExchange(ctx: ServiceContext, request: Pick<CheckRequest, 'rules' | 'parentCourse'>): Promise<StartedExchange> {
  const { rules, from } = await requestRules(ctx, request);
  const viewSecret = newSecret();
  const walletSecret = walletSecretOf(viewSecret);
  const id = `sx_${uuidv4()}`;
  const expiresAt = new Date(Date.now() + STACKING_EXCHANGE_TTL_SECONDS * 1000).toISOString();
  await insertStackingExchange(ctx.db, {
    id,
    walletHash: hashSecret(walletSecret),
    viewHash: hashSecret(viewSecret),
    rules: rules as unknown as Record<string, unknown>,
    ...(from ? { issuerSlug: from.issuer, parentCode: from.code } : {}),
    expiresAt,
  });
  return { id, expiresAt, urls: stackingUrls(ctx.publicUrl, walletSecret, viewSecret), rules: { title: rules.title, ...(from ? { parentCourse: from } : {}) } };
}

async function walletExchange(ctx: ServiceContext, secret: string): Promise<StackingExchangeRow> {
  const row = await findStackingExchange(ctx.db, 'wallet', hashSecret(secret));
  if (!row) throw new HttpProblem(404, 'exchange-not-found', 'Exchange not found', 'There is no such exchange, or it has expired (an exchange is open 30 minutes): ask for a new QR code.');
  return row;
}

/**
 * The interaction URL's answer: the protocols this exchange speaks.
 *
 * @example
 * ```ts
 * (await stackingInteraction(ctx, secret)).protocols.vcapi; // the exchange URL
 * ```
 */
export async function stackingInteraction(ctx: ServiceContext, secret: string): Promise<{ protocols: { vcapi: string } }> {
  await walletExchange(ctx, secret);
  return { protocols: { vcapi: `${ctx.publicUrl.replace(/\/+$/, '')}/stacking/exchanges/${secret}` } };
}

function refused(status: number, code: string, title: string, detail: string): HttpProblem {
  return new HttpProblem(status, code, title, detail);
}

/** The presentation request of an exchange: Open Badges credentials, and the holder's DID proven. */
function presentationRequest(ctx: ServiceContext, rules: Record<string, unknown>, challenge: string): Record<string, unknown> {
  const reason = `To check whether your micro-credentials count towards ${String(rules.title)}.`;
  return {
    query: [
      {
        type: 'QueryByExample',
        credentialQuery: ['OpenBadgeCredential', 'AchievementCredential'].map((type) => ({
          reason,
          example: { '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'], type },
        })),
      },
      { type: 'DIDAuthentication', acceptedMethods: [{ method: 'key' }], acceptedCryptosuites: [{ cryptosuite: 'eddsa-rdfc-2022' }, { cryptosuite: 'Ed25519Signature2020' }] },
    ],
    challenge,
    domain: new URL(ctx.publicUrl).host,
  };
}

/**
 * One step of the exchange: `{}` gets the presentation request; `{verifiablePresentation}` is checked and the set
 * it carries is checked against the rules.
 *
 * @throws HttpProblem 404 `exchange-not-found`; 409 `exchange-completed` (a replay, or a second presentation);
 *   400 `challenge-unknown` and the DIDAuth refusals (`presentation-malformed`, `challenge-missing`,
 *   `domain-mismatch`, `holder-method`, `signature-invalid`, `holder-mismatch`).
 * @example
 * ```ts
 * const { verifiablePresentationRequest } = await participateStacking(ctx, verifier, secret, {});
 * await participateStacking(ctx, verifier, secret, { verifiablePresentation: vp }); // {}
 * ```
 */
export async function participateStacking(ctx: ServiceContext, verifier: Verifier, secret: string, body: unknown): Promise<Record<string, unknown>> {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) throw problems.badRequest('The exchange takes a JSON object: {} to start, {"verifiablePresentation": {...}} to answer.');
  const row = await walletExchange(ctx, secret);
  const completed = refused(409, 'exchange-completed', 'Exchange already completed', 'This exchange has already received a presentation; a presentation is accepted once. Ask for a new QR code to check again.');
  if (row.state === 'done') throw completed;
  const vp = (body as { verifiablePresentation?: unknown }).verifiablePresentation;
  if (vp === undefined) {
    const challenge = newSecret(24);
    if (!(await setStackingChallenge(ctx.db, row.id, hashSecret(challenge)))) throw completed;
    return { verifiablePresentationRequest: presentationRequest(ctx, row.rules, challenge) };
  }
  const challenge = presentationChallenge(vp);
  if (challenge === undefined || row.challengeHash !== hashSecret(challenge)) {
    throw refused(400, 'challenge-unknown', 'Wrong challenge', 'The presentation was not signed for the challenge of this exchange\'s latest request: post {} to get the request, then sign for its challenge.');
  }
  const domain = new URL(ctx.publicUrl).host;
  const checked = await verifyDidAuth(ctx, vp, { challenge, domain });
  if (!checked.ok) throw refused(400, checked.code, 'Presentation refused', checked.message);
  const report = await runStackingCheck(ctx, verifier, { credentials: [], presentation: vp as Record<string, unknown>, challenge, domain }, row.rules as unknown as StackingRules);
  const done = { challenge, challengeHash: hashSecret(challenge), report: reportJson(report), presentation: vp as Record<string, unknown> };
  if (!(await completeStackingExchange(ctx.db, row.id, done))) throw completed;
  return {};
}

async function viewedExchange(ctx: ServiceContext, viewSecret: string): Promise<StackingExchangeRow> {
  const row = await findStackingExchange(ctx.db, 'view', hashSecret(viewSecret));
  if (!row) throw new HttpProblem(404, 'exchange-not-found', 'Exchange not found', 'There is no such exchange, or it has expired (results are kept 30 minutes).');
  return row;
}

/**
 * The set a completed exchange received, as a check request with its rules (to sign its transcript): the accepted
 * presentation with the challenge and domain it was signed for, checked again when used (so a revocation since counts).
 *
 * @throws HttpProblem 404 `exchange-not-found`, 409 `exchange-pending` while the wallet has not answered.
 * @example
 * ```ts
 * const { request, rules } = await exchangeCheckRequest(ctx, viewSecret);
 * ```
 */
export async function exchangeCheckRequest(ctx: ServiceContext, viewSecret: string): Promise<{ request: CheckRequest; rules: StackingRules }> {
  const row = await viewedExchange(ctx, viewSecret);
  if (row.state !== 'done' || !row.presentation || !row.challenge) {
    throw new HttpProblem(409, 'exchange-pending', 'No presentation yet', 'The wallet has not answered this exchange yet: there is no set to issue a transcript for.', { parameter: { in: 'body', name: 'exchange' } });
  }
  return {
    request: { credentials: [], presentation: row.presentation, challenge: row.challenge, domain: new URL(ctx.publicUrl).host },
    rules: row.rules as unknown as StackingRules,
  };
}

export interface ExchangeResult {
  state: 'pending' | 'done';
  expiresAt: string;
  rules: { title: string; parentCourse?: { issuer: string; code: string } };
  interaction?: string;
  report?: Record<string, unknown>;
}

/**
 * What staff see of an exchange, by the secret of its result URL.
 *
 * @throws HttpProblem 404 `exchange-not-found`.
 * @example
 * ```ts
 * const { state, report } = await stackingExchangeResult(ctx, viewSecret);
 * ```
 */
export async function stackingExchangeResult(ctx: ServiceContext, viewSecret: string): Promise<ExchangeResult> {
  const row = await viewedExchange(ctx, viewSecret);
  return {
    state: row.state,
    expiresAt: row.expiresAt,
    rules: { title: String(row.rules.title), ...(row.issuerSlug && row.parentCode ? { parentCourse: { issuer: row.issuerSlug, code: row.parentCode } } : {}) },
    ...(row.state === 'pending' ? { interaction: stackingUrls(ctx.publicUrl, walletSecretOf(viewSecret), viewSecret).interaction } : {}),
    ...(row.report ? { report: row.report } : {}),
  };
}

/**
 * A check request as it is to be run: one naming a completed exchange becomes that exchange's set and rules.
 *
 * @example
 * ```ts
 * const { request, rules } = await resolveExchange(ctx, checkRequestFromJson(body));
 * const report = await runStackingCheck(ctx, verifier, request, rules);
 * ```
 */
export async function resolveExchange(ctx: ServiceContext, request: CheckRequest): Promise<{ request: CheckRequest; rules?: StackingRules }> {
  return request.exchange === undefined ? { request } : exchangeCheckRequest(ctx, request.exchange);
}
