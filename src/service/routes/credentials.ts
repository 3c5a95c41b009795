/**
 * Credentials of an issuer: issuing from completion records (one, or a batch), reading them (one, or a paged list)
 * and changing their status (revoke, suspend, unsuspend).
 */
import type { JwtAlg } from '../../keyset/keyset.js';
import type { CredentialFormat, CredentialRow } from '../../store/credentials.js';
import type { Queryable } from '../../store/db.js';
import { getCredential, listCredentials } from '../../store/credentials.js';
import { issueBatch, jsonLines, MAX_BATCH } from '../batch.js';
import type { BatchItem } from '../batch.js';
import { defineRoute, json } from '../http/declare.js';
import type { AnyRoute, JsonSchema, RouteInput, Router } from '../http/declare.js';
import { cursorParam, enumParam, flagValue, integerParam, objectField, textField, textParam, timestampParam } from '../http/inputs.js';
import { compileField, documentedSchema } from '../http/validate.js';
import { changeStatus, issueFromRecord } from '../issuance.js';
import type { StatusAction } from '../issuance.js';
import type { ServiceContext } from '../context.js';
import { claimMailStatus, queueClaimMail } from '../mail/mailer.js';
import { MAIL_NOT_SENT } from '../mail/outcomes.js';
import type { ClaimMailer, QueuedMail } from '../mail/mailer.js';
import { problems } from '../problem.js';
import { credentialResource, credentialUrl, issuedResource, nextPageUrl } from '../resources.js';
import { credentialId, issueOptions, issueQuery, MAX_REASON, reasonField, ref, slug } from './schemas.js';

const readOptions = compileField(issueOptions, 'options');

/** `format`, `reissue` and `alg` of an issuing request: from the body's `options` when given there, else the query. */
function issuing(query: RouteInput<Record<string, never>, typeof issueQuery>['query'], options: unknown): { format: CredentialFormat; reissue: boolean; alg?: JwtAlg } {
  const opts = (options !== null && typeof options === 'object' ? readOptions(options) : {}) as Record<string, unknown>;
  const alg = (opts.alg ?? query.alg) as JwtAlg | undefined;
  const reissue = opts.reissue !== undefined ? flagValue(opts.reissue) : query.reissue === true;
  return { format: ((opts.format ?? query.format) as CredentialFormat | undefined) ?? 'di', reissue, ...(alg ? { alg } : {}) };
}

/** The records of a batch body: JSON Lines text, a JSON array, or {records, options}. */
function batchItems(body: unknown): { items: BatchItem[]; options?: unknown } {
  if (typeof body === 'string') return { items: jsonLines(body) };
  if (Array.isArray(body)) return { items: body.map((record) => ({ record })) };
  const records = (body as { records?: unknown } | null)?.records;
  if (Array.isArray(records)) return { items: records.map((record) => ({ record })), options: (body as { options?: unknown }).options };
  throw problems.badRequest('The batch must be a JSON array of records, {"records": [...]}, or JSON Lines (Content-Type: application/x-ndjson).');
}

/**
 * The claim e-mail of each credential an issuing request stores: queued in its issuing transaction (or why none is
 * sent recorded), to be sent once it commits.
 */
function claimMails(ctx: ServiceContext, slug: string, mailer: ClaimMailer | undefined): { onStored?: (tx: Queryable, row: CredentialRow) => Promise<void>; queued: Map<string, QueuedMail> } {
  const queued = new Map<string, QueuedMail>();
  // Without SMTP nothing is written (the issuing path stays one statement); the answers say so (claimMailView).
  if (mailer?.configured !== true) return { queued };
  return {
    queued,
    async onStored(tx, row) {
      queued.set(row.id, await queueClaimMail(ctx, slug, row.id, { smtpConfigured: true, q: tx }));
    },
  };
}

const NO_SMTP = MAIL_NOT_SENT.noSmtp;
const NOT_SENT = [{ state: 'skipped', attempts: 0, outcome: NO_SMTP }];

/** The claim e-mails of a credential for its API view; with none queued on a deployment without SMTP, why. */
async function claimMailView(ctx: ServiceContext, id: string, mailer: ClaimMailer | undefined): Promise<Record<string, unknown>[]> {
  const mails = await claimMailStatus(ctx, id);
  return mails.length === 0 && mailer?.configured !== true ? NOT_SENT : mails;
}

const wrapped: JsonSchema = { type: 'object', required: ['record'], properties: { record: ref('CompletionRecord'), options: documentedSchema(issueOptions) } };

const issueOne = defineRoute({
  method: 'post',
  path: '/issuers/{slug}/credentials',
  summary: 'Issue from a completion record (idempotent on recordId)',
  tags: ['issue'],
  auth: { scope: 'issue', issuer: 'path' },
  params: { slug },
  query: issueQuery,
  body: { required: true, content: { 'application/json': { oneOf: [ref('CompletionRecord'), wrapped] } }, fields: objectField({}, { description: 'The record itself (options in the query) or {record, options}.' }) },
  responses: { 200: json('Already issued: the stored credential.', ref('CredentialResource')), 201: json('Issued.', ref('CredentialResource')) },
  errors: {
    400: 'Malformed request (for example malformed JSON).',
    404: 'Unknown issuer.',
    409: 'The recordId was already issued with different content (send reissue=true to replace it).',
    422: 'Invalid record: every problem is listed in "problems".',
  },
  handler: async ({ path, query, body, principal }, { ctx, mailer }) => {
    // Either the record itself (options in the query) or { record, options }.
    const isWrapped = 'record' in body && !('recordId' in body);
    const options = issuing(query, isWrapped ? body.options : undefined);
    const mails = claimMails(ctx, path.slug, mailer);
    const out = await issueFromRecord(ctx, path.slug, isWrapped ? body.record : body, { ...options, actor: principal?.actor as string, ...(mails.onStored ? { onStored: mails.onStored } : {}) });
    if (out.outcome === 'issued') mailer?.kick();
    // What this request queued is known; only a retry with SMTP configured reads the outbox.
    const queued = mails.queued.get(out.row.id);
    const claimMail =
      mailer?.configured !== true ? NOT_SENT : queued ? [{ id: queued.id, state: queued.queued ? 'pending' : 'skipped', attempts: 0, outcome: queued.outcome }] : await claimMailStatus(ctx, out.row.id);
    const resource = { ...issuedResource(ctx, out), claimMail };
    return out.outcome === 'issued' ? { status: 201, location: credentialUrl(ctx, out.row), json: resource } : { json: resource };
  },
});

const issueMany = defineRoute({
  method: 'post',
  path: '/issuers/{slug}/credentials/batch',
  summary: 'Issue many records: a JSON array, {records, options} or JSON Lines; one result per record',
  tags: ['issue'],
  auth: { scope: 'issue', issuer: 'path' },
  params: { slug },
  query: issueQuery,
  body: {
    required: true,
    content: {
      'application/json': { oneOf: [{ type: 'array', items: { type: 'object' } }, { type: 'object', properties: { records: { type: 'array' }, options: documentedSchema(issueOptions) } }] },
      'application/x-ndjson': { type: 'string', description: 'One record per line.' },
    },
  },
  responses: { 200: json('Per-record results (issued, already-issued, invalid with problems, conflict, error).', { type: 'object', properties: { summary: { type: 'object' }, results: { type: 'array', items: { type: 'object' } } } }) },
  errors: { 400: 'Malformed request (for example malformed JSON).', 404: 'Unknown issuer.', 413: `More than ${MAX_BATCH} records.` },
  handler: async ({ path, query, body, principal, requestId }, { ctx, mailer }) => {
    const { items, options } = batchItems(body);
    if (items.length > MAX_BATCH) throw problems.tooLarge(`A batch holds at most ${MAX_BATCH} records; found ${items.length}.`);
    const mails = claimMails(ctx, path.slug, mailer);
    const out = await issueBatch(ctx, path.slug, items, { ...issuing(query, options), actor: principal?.actor as string, reqId: requestId, ...(mails.onStored ? { onStored: mails.onStored } : {}) });
    if (mails.queued.size > 0) mailer?.kick();
    // Each issued record says whether its claim e-mail is queued, or why none is sent.
    for (const r of out.results) {
      if (typeof r.id !== 'string' || r.outcome !== 'issued') continue;
      const mail = mails.queued.get(r.id);
      r.claimMail = mail ? { queued: mail.queued, outcome: mail.outcome } : { queued: false, outcome: NO_SMTP };
    }
    return { json: out };
  },
});

const list = defineRoute({
  method: 'get',
  path: '/issuers/{slug}/credentials',
  summary: 'List credentials (by learner, record id, status, date; paged)',
  tags: ['read'],
  auth: { scope: 'read', issuer: 'path' },
  params: { slug },
  query: {
    status: enumParam('query', 'Status.', ['active', 'revoked', 'suspended'] as const),
    limit: integerParam('query', 'Page size (1-500, default 50).', 1, 500),
    from: timestampParam('Created at or after (ISO 8601 date or date-time; UTC when it has no offset).'),
    to: timestampParam('Created before (ISO 8601).'),
    cursor: cursorParam('text'),
    learner: textParam('query', "Learner's student id, email or DID."),
    recordId: textParam('query', 'Record id.'),
  },
  responses: { 200: json('A page.', { type: 'object', properties: { items: { type: 'array', items: ref('CredentialResource') }, next: { type: 'string' } } }) },
  errors: { 400: 'Malformed request.', 404: 'Unknown issuer.' },
  handler: async ({ path, query, rawQuery }, { ctx }) => {
    const defined = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
    const page = await listCredentials(ctx.db, { issuerSlug: path.slug, ...defined });
    return { json: { items: page.items.map((r) => credentialResource(ctx, r)), ...(page.next ? { next: nextPageUrl(ctx, `/issuers/${path.slug}/credentials`, rawQuery, page.next) } : {}) } };
  },
});

const readOne = defineRoute({
  method: 'get',
  path: '/issuers/{slug}/credentials/{id}',
  summary: 'One credential',
  tags: ['read'],
  auth: { scope: 'read', issuer: 'path' },
  params: { slug, id: credentialId },
  responses: { 200: json('The credential.', ref('CredentialResource')) },
  errors: { 400: 'Malformed request.', 404: 'Unknown issuer or credential.' },
  handler: async ({ path }, { ctx, mailer }) => {
    const row = await getCredential(ctx.db, path.slug, path.id);
    if (!row) throw problems.notFound(`Issuer ${path.slug} has no credential ${JSON.stringify(path.id)}.`);
    return { json: { ...credentialResource(ctx, row), claimMail: await claimMailView(ctx, row.id, mailer) } };
  },
});

const NEEDS_REASON = 'A revocation needs a reason: send {"reason": "..."}.';
const revocationBody = objectField({ reason: textField(reasonField.schema.description as string, MAX_REASON, () => problems.badRequest(NEEDS_REASON)) }, { required: ['reason'] });

function statusChange(action: StatusAction, summary: string): AnyRoute {
  const revoke = action === 'revoke';
  return defineRoute({
    method: 'post',
    path: `/issuers/{slug}/credentials/{id}/${action}`,
    summary,
    tags: ['status'],
    auth: { scope: 'revoke', issuer: 'path' },
    params: { slug, id: credentialId },
    // Optional even for a revocation, whose missing reason is its own problem (below).
    body: { required: false, content: { 'application/json': undefined }, fields: revoke ? revocationBody : objectField({ reason: reasonField }) },
    responses: { 200: json('The credential after the change.', ref('CredentialResource')) },
    errors: { 400: 'Malformed request.', 404: 'Unknown issuer or credential.', 409: 'Not possible in the current status (e.g. unsuspending a revoked credential).' },
    handler: async ({ path, body, principal }, { ctx }) => {
      const reason = body.reason as string | undefined;
      if (revoke && (reason === undefined || reason.trim() === '')) throw problems.badRequest(NEEDS_REASON);
      return { json: credentialResource(ctx, await changeStatus(ctx, path.slug, path.id, action, reason, principal?.actor as string)) };
    },
  });
}

export const credentials: Router = {
  name: 'credentials',
  routes: [
    issueOne,
    issueMany,
    list,
    readOne,
    statusChange('revoke', 'Revoke (permanent; reason required)'),
    statusChange('suspend', 'Suspend (reversible)'),
    statusChange('unsuspend', 'Lift a suspension'),
  ],
};
