/**
 * The staff page (/admin) for registry staff, as pages (HTML, the pages' CSP and headers, HTML error pages in the
 * reader's language): sign in with an issuer's API key, upload an export with its mapping, watch the job, download
 * its report, find a learner's credentials and revoke or suspend them, read the audit log. The JSON admin API is
 * routes/admin.ts; this router calls the same service functions.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { listAudit } from '../../store/audit.js';
import { listCredentials } from '../../store/credentials.js';
import type { ServiceContext } from '../context.js';
import { defineRoute, html, text } from '../http/declare.js';
import type { Reply, RouteInput } from '../http/declare.js';
import { cursorParam, enumField, enumParam, flagParam, objectField, textField, textParam } from '../http/inputs.js';
import { changeStatus } from '../issuance.js';
import { submitJobUpload } from '../job-upload.js';
import { cancelJob, getJobStatus, listJobStatuses } from '../jobs.js';
import { restoreCredentialPage, withdrawCredentialPage } from '../page-admin.js';
import { langQuery, pageContext } from '../pages/page.js';
import { pageRouter } from '../pages/router.js';
import { auditPage, credentialsPage, dashboardPage, jobPage, signInPage } from '../pages/staff.js';
import { problems } from '../problem.js';
import { checkCsrf, requireScope, signIn, signInToken, signOutCookie, staffSession } from '../staff-session.js';
import type { StaffSession } from '../staff-session.js';
import { SIGN_IN_COOKIE } from '../staff-session.js';
import { cookieValue } from '../pages/lang.js';
import { reportReply } from './jobs.js';

const tags = ['pages', 'staff'];
const csrf = textField('The form\'s CSRF token.', 200);
const jobId = textParam('path', 'Job id.');
const form = (fields: Record<string, ReturnType<typeof textField>>, required: string[]) => ({
  required: true,
  content: { 'application/x-www-form-urlencoded': undefined },
  fields: objectField(fields, { required }),
});

const base = (ctx: ServiceContext): string => new URL(ctx.publicUrl).pathname.replace(/\/+$/, '');
const redirect = (to: string, headers: Record<string, string> = {}): Reply => ({ status: 303, location: to, headers, empty: true });

/** The session of a page request: undefined sends the reader to the sign-in form. */
async function reader(ctx: ServiceContext, headers: IncomingHttpHeaders): Promise<StaffSession | undefined> {
  return staffSession(ctx, headers);
}

/** The session of a form POST, with its CSRF token checked (401/403 problems). */
async function poster(ctx: ServiceContext, headers: IncomingHttpHeaders, given: unknown): Promise<StaffSession> {
  const session = await staffSession(ctx, headers);
  if (!session) throw problems.unauthorized('You are not signed in (or your session ended): sign in on the staff page again.');
  checkCsrf(session.csrf, given);
  return session;
}

const pc = (input: Pick<RouteInput, 'headers' | 'rawQuery'>, ctx: ServiceContext) => pageContext({ headers: input.headers, query: input.rawQuery }, ctx);

/** The form of an action on one of a learner's credentials: the session's CSRF token, the credential, the action, and the search to go back to. */
function credentialForm(actions: readonly string[], extra: Record<string, ReturnType<typeof textField>> = {}) {
  return {
    required: true,
    content: { 'application/x-www-form-urlencoded': undefined },
    fields: objectField(
      { csrf, id: textField('The credential.', 500), action: enumField('What to do.', actions), ...extra, learner: textField('The search to go back to.', 500) },
      { required: ['csrf', 'id', 'action'] },
    ),
  } as const;
}

export const staffPages = pageRouter('staff-pages', [
  defineRoute({
    method: 'get',
    path: '/admin',
    summary: 'The staff page: sign-in, upload, jobs, search, audit',
    tags,
    auth: 'public',
    query: { lang: langQuery },
    responses: { 200: html('The sign-in form, or the staff page of the signed-in key.') },
    handler: async (input, { ctx }) => {
      const session = await reader(ctx, input.headers);
      if (!session) {
        const t = signInToken(ctx, input.headers);
        return signInPage(pc(input, ctx), { csrf: t.token, ...(t.setCookie ? { setCookie: t.setCookie } : {}) });
      }
      const slug = session.key.issuerSlug;
      const issuer = await ctx.issuer(slug);
      const scopes = session.key.scopes;
      const jobs = scopes.includes('read') || scopes.includes('issue') ? await listJobStatuses(ctx, slug, { limit: 10 }) : undefined;
      return dashboardPage(pc(input, ctx), { session, issuerName: String(issuer.row.profile.name), ...(jobs ? { jobs } : {}) });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/sign-in',
    summary: 'Sign in with an API key (sets the session cookie)',
    tags,
    auth: 'public',
    body: form({ csrf, token: textField('The API key.', 500) }, ['csrf', 'token']),
    responses: { 303: { description: 'Signed in: to the staff page.' }, 401: html('The key was refused: the form again.') },
    errors: { 400: 'Malformed form.', 403: 'The form did not come from the sign-in page.', 415: 'Not a form.' },
    handler: async (input, { ctx }) => {
      checkCsrf(cookieValue(input.headers.cookie, SIGN_IN_COOKIE), input.body.csrf);
      try {
        const { cookies } = await signIn(ctx, input.body.token as string);
        return redirect(`${base(ctx)}/admin`, { 'Set-Cookie': cookies[0] as string });
      } catch (e) {
        if ((e as { status?: number }).status !== 401) throw e;
        return signInPage(pc(input, ctx), { csrf: input.body.csrf as string, failed: true });
      }
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/sign-out',
    summary: 'Sign out (ends the session cookie)',
    tags,
    auth: 'public',
    body: form({ csrf }, ['csrf']),
    responses: { 303: { description: 'Signed out: to the sign-in form.' } },
    errors: { 400: 'Malformed form.', 401: 'Not signed in.', 403: 'Bad CSRF token.', 415: 'Not a form.' },
    handler: async (input, { ctx }) => {
      await poster(ctx, input.headers, input.body.csrf);
      return redirect(`${base(ctx)}/admin`, { 'Set-Cookie': signOutCookie(ctx) });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/jobs',
    summary: 'Start a job from the upload form (multipart: csrf, mapping, dryRun, then file)',
    tags,
    auth: 'public',
    body: { required: true, stream: true, content: { 'multipart/form-data': { type: 'object', properties: { csrf: { type: 'string' }, mapping: { type: 'string', format: 'binary' }, dryRun: { type: 'string' }, file: { type: 'string', format: 'binary' } } } } },
    responses: { 303: { description: 'Started: to the job\'s page.' } },
    errors: { 400: 'Malformed upload (the field is named).', 401: 'Not signed in.', 403: 'Bad CSRF token or no "issue" scope.', 413: 'Over the limits.', 415: 'Not multipart.', 422: 'Invalid mapping or unreadable export.' },
    handler: async ({ headers, stream }, { ctx, wakeJobWorker }) => {
      const session = await staffSession(ctx, headers);
      if (!session) throw problems.unauthorized('You are not signed in (or your session ended): sign in on the staff page again.');
      requireScope(session, 'issue');
      const job = await submitJobUpload(ctx, session.key.issuerSlug, headers, stream as Readable, {
        actor: session.actor,
        check: (parts) => {
          checkCsrf(session.csrf, parts.fields['csrf']);
          return { dryRun: parts.fields['dryRun'] === 'true' };
        },
      });
      wakeJobWorker?.();
      return redirect(`${base(ctx)}/admin/jobs/${encodeURIComponent(job.id)}?watch=1`);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/admin/jobs/{id}',
    summary: "A job's progress, counts and report links (refreshing itself with ?watch=1)",
    tags,
    auth: 'public',
    params: { id: jobId },
    query: { watch: flagParam('Refresh every 3 seconds until the job is finished.'), lang: langQuery },
    responses: { 200: html("The job's page."), 303: { description: 'Not signed in: to the sign-in form.' } },
    errors: { 400: 'Malformed request.', 403: 'No "issue" or "read" scope.', 404: 'Unknown job.' },
    handler: async (input, { ctx }) => {
      const session = await reader(ctx, input.headers);
      if (!session) return redirect(`${base(ctx)}/admin`);
      if (!session.key.scopes.includes('issue')) requireScope(session, 'read');
      const job = await getJobStatus(ctx, session.key.issuerSlug, input.path.id);
      return jobPage(pc(input, ctx), { session, job, watch: input.query.watch === true });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/admin/jobs/{id}/report',
    summary: "A job's per-row report, to download (CSV or NDJSON)",
    tags,
    auth: 'public',
    params: { id: jobId },
    query: { type: enumParam('query', 'csv (default) or ndjson.', ['csv', 'ndjson'] as const) },
    responses: { 200: text('The report.', 'text/csv'), 303: { description: 'Not signed in: to the sign-in form.' } },
    errors: { 400: 'Malformed request.', 403: 'No "issue" or "read" scope.', 404: 'Unknown job.' },
    handler: async (input, { ctx }) => {
      const session = await reader(ctx, input.headers);
      if (!session) return redirect(`${base(ctx)}/admin`);
      if (!session.key.scopes.includes('issue')) requireScope(session, 'read');
      const out = await reportReply(ctx, session.key.issuerSlug, input.path.id, { csv: input.query.type !== 'ndjson', follow: false });
      const name = `job-${input.path.id}-report.${input.query.type === 'ndjson' ? 'ndjson' : 'csv'}`;
      return { ...out, headers: { ...out.headers, 'Content-Disposition': `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"` } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/jobs/{id}/cancel',
    summary: 'Cancel a job (form)',
    tags,
    auth: 'public',
    params: { id: jobId },
    body: form({ csrf }, ['csrf']),
    responses: { 303: { description: "Cancelled: to the job's page." } },
    errors: { 400: 'Malformed form.', 401: 'Not signed in.', 403: 'Bad CSRF token or no "issue" scope.', 404: 'Unknown job.', 415: 'Not a form.' },
    handler: async (input, { ctx }) => {
      const session = await poster(ctx, input.headers, input.body.csrf);
      requireScope(session, 'issue');
      await cancelJob(ctx, session.key.issuerSlug, input.path.id, { actor: session.actor });
      return redirect(`${base(ctx)}/admin/jobs/${encodeURIComponent(input.path.id)}`);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/admin/credentials',
    summary: "A learner's credentials (by student id, email or DID), with status actions",
    tags,
    auth: 'public',
    query: { learner: textParam('query', "The learner's student id, email or DID."), changed: flagParam('A status was just changed.'), page: flagParam("A learner's page was just changed."), lang: langQuery },
    responses: { 200: html('The credentials found.'), 303: { description: 'Not signed in: to the sign-in form.' } },
    errors: { 400: 'Malformed request (no learner).', 403: 'No "read" scope.' },
    handler: async (input, { ctx }) => {
      const session = await reader(ctx, input.headers);
      if (!session) return redirect(`${base(ctx)}/admin`);
      requireScope(session, 'read');
      const learner = (input.query.learner ?? '').trim();
      if (learner === '') throw problems.badRequest('Give a student id, email address or DID to look for.', { parameter: { in: 'query', name: 'learner' } });
      const page = await listCredentials(ctx.db, { issuerSlug: session.key.issuerSlug, learner, limit: 200 });
      return credentialsPage(pc(input, ctx), { session, learner, items: page.items, changed: input.query.changed === true, pageChanged: input.query.page === true });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/credentials/status',
    summary: 'Revoke, suspend or lift a suspension, with a reason (form)',
    tags,
    auth: 'public',
    body: credentialForm(['revoke', 'suspend', 'unsuspend'], { reason: textField('Why.', 500) }),
    responses: { 303: { description: "Changed: back to the learner's credentials." } },
    errors: { 400: 'Malformed form (a revocation needs a reason).', 401: 'Not signed in.', 403: 'Bad CSRF token or no "revoke" scope.', 404: 'Unknown credential.', 409: 'Not possible in the current status.', 415: 'Not a form.' },
    handler: async (input, { ctx }) => {
      const session = await poster(ctx, input.headers, input.body.csrf);
      requireScope(session, 'revoke');
      const action = input.body.action as 'revoke' | 'suspend' | 'unsuspend';
      const reason = ((input.body.reason as string | undefined) ?? '').trim();
      if (action === 'revoke' && reason === '') throw problems.badRequest('A revocation needs a reason: write why in the Reason field.', { parameter: { in: 'body', name: 'reason' } });
      await changeStatus(ctx, session.key.issuerSlug, input.body.id as string, action, reason === '' ? undefined : reason, session.actor);
      const learner = (input.body.learner as string | undefined) ?? '';
      return redirect(`${base(ctx)}/admin/credentials?learner=${encodeURIComponent(learner)}&changed=1`);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/admin/credentials/page',
    summary: "Withdraw a credential's page, or put it back at its address or a new one (form)",
    tags,
    auth: 'public',
    body: credentialForm(['withdraw', 'restore', 'new-link']),
    responses: { 303: { description: "Changed: back to the learner's credentials." } },
    errors: { 400: 'Malformed form.', 401: 'Not signed in.', 403: 'Bad CSRF token or no "revoke" scope.', 404: 'Unknown credential.', 415: 'Not a form.' },
    handler: async (input, { ctx }) => {
      const session = await poster(ctx, input.headers, input.body.csrf);
      requireScope(session, 'revoke');
      const id = input.body.id as string;
      if (input.body.action === 'withdraw') await withdrawCredentialPage(ctx, session.key.issuerSlug, id, session.actor);
      else await restoreCredentialPage(ctx, session.key.issuerSlug, id, session.actor, { newLink: input.body.action === 'new-link' });
      const learner = (input.body.learner as string | undefined) ?? '';
      return redirect(`${base(ctx)}/admin/credentials?learner=${encodeURIComponent(learner)}&page=1`);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/admin/audit',
    summary: "The issuer's audit log, newest first (paged)",
    tags,
    auth: 'public',
    query: { cursor: cursorParam('bigint'), lang: langQuery },
    responses: { 200: html('A page of the audit log.'), 303: { description: 'Not signed in: to the sign-in form.' } },
    errors: { 400: 'Malformed request.', 403: 'No "admin" scope.' },
    handler: async (input, { ctx }) => {
      const session = await reader(ctx, input.headers);
      if (!session) return redirect(`${base(ctx)}/admin`);
      requireScope(session, 'admin');
      const page = await listAudit(ctx.db, { issuerSlug: session.key.issuerSlug, limit: 50, ...(input.query.cursor !== undefined ? { cursor: input.query.cursor } : {}) });
      return auditPage(pc(input, ctx), { items: page.items, ...(page.next ? { next: page.next } : {}) });
    },
  }),
]);
