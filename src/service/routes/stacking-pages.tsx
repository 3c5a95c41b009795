/**
 * The staff page for stacking (`/stacking`): upload a learner's set or receive it from the learner's wallet, pick a
 * parent course or upload rules, and read the report. Over the same functions as the stacking API routes.
 */
import { listAllParentCourses } from '../../store/stacking-rules.js';
import type { ServiceContext } from '../context.js';
import { defineRoute, html } from '../http/declare.js';
import { textParam } from '../http/inputs.js';
import { problems } from '../problem.js';
import { htmlPage, langQuery, pageContext } from '../pages/page.js';
import { pageRouter } from '../pages/router.js';
import { StackingForm, StackingReportView, stackingWord, WalletWaiting } from '../pages/stacking.js';
import { qrImageUrl } from '../qr.js';
import type { CourseChoice } from '../pages/stacking.js';
import { reportJson, runStackingCheck } from '../stacking/check.js';
import { stackingExchangeResult, startStackingExchange } from '../stacking/exchange.js';
import { checkRequestFromForm, readMultipart, rulesChoice } from '../stacking/input.js';

const FORM = { 'multipart/form-data': { type: 'object', description: 'The form of the page.' } } as const;

async function courseChoices(ctx: ServiceContext): Promise<CourseChoice[]> {
  const rows = await listAllParentCourses(ctx.db);
  const names = new Map<string, string>();
  for (const r of rows) {
    if (!names.has(r.issuerSlug)) names.set(r.issuerSlug, await ctx.issuer(r.issuerSlug).then((i) => i.row.profile.name, () => r.issuerSlug));
  }
  return rows.map((r) => ({ issuer: r.issuerSlug, issuerName: names.get(r.issuerSlug) ?? r.issuerSlug, code: r.code, title: String(r.rules.title ?? r.code) }));
}

/** The first value of a form field or the text of a form file. */
function formRules(form: Awaited<ReturnType<typeof readMultipart>>): Record<string, unknown> {
  const file = form.files.rules?.[0];
  const rulesText = (file && file.bytes.length > 0 ? new TextDecoder().decode(file.bytes) : form.fields.rules?.[0] ?? '').trim();
  const parentCourse = form.fields.parentCourse?.[0]?.trim();
  return rulesText !== '' ? { rules: rulesText } : parentCourse ? { parentCourse } : {};
}

export const stackingPages = pageRouter('stacking-pages', [
  defineRoute({
    method: 'get',
    path: '/stacking',
    summary: 'Staff page: check a set of credentials against a parent course',
    tags: ['pages', 'stacking'],
    auth: 'public',
    query: { lang: langQuery },
    responses: { 200: html('The form: upload a set or receive it from a wallet; pick a parent course or upload rules.') },
    handler: async ({ headers, rawQuery }, { ctx }) => {
      const pc = pageContext({ headers, query: rawQuery }, ctx);
      return htmlPage(pc, { title: stackingWord(pc.lang, 'title'), noindex: true, body: <StackingForm pc={pc} courses={await courseChoices(ctx)} /> });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/stacking',
    summary: 'Staff page: the report of an uploaded set',
    tags: ['pages', 'stacking'],
    auth: 'public',
    query: { lang: langQuery },
    body: { required: true, stream: true, content: FORM },
    responses: { 200: html('The report in plain sentences.') },
    errors: { 400: 'A file or field is not what it should be (the page says which).', 404: 'The parent course is not stored here.', 413: 'Too large.', 415: 'Not a multipart form.', 422: 'The rules do not validate.' },
    handler: async ({ headers, rawQuery, stream }, { ctx, verifier }) => {
      const pc = pageContext({ headers, query: rawQuery }, ctx);
      const request = checkRequestFromForm(await readMultipartForm(stream!, headers));
      const report = reportJson(await runStackingCheck(ctx, verifier, request));
      return htmlPage(pc, { title: stackingWord(pc.lang, 'title'), noindex: true, body: <><h1>{stackingWord(pc.lang, 'title')}</h1><StackingReportView pc={pc} report={report} /></> });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/stacking/wallet',
    summary: 'Staff page: start a wallet request',
    tags: ['pages', 'stacking'],
    auth: 'public',
    query: { lang: langQuery },
    body: { required: true, stream: true, content: FORM },
    responses: { 303: { description: 'To the page of the request (QR code, then the result).' } },
    errors: { 400: 'Neither a parent course nor rules.', 404: 'The parent course is not stored here.', 413: 'Too large.', 415: 'Not a multipart form.', 422: 'The rules do not validate.' },
    handler: async ({ headers, stream }, { ctx }) => {
      const started = await startStackingExchange(ctx, rulesChoice(formRules(await readMultipartForm(stream!, headers))));
      return { status: 303, location: started.urls.page, empty: true };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/stacking/wallet/{secret}',
    summary: 'Staff page: a wallet request (its QR code while it waits, then the report)',
    tags: ['pages', 'stacking'],
    auth: 'public',
    params: { secret: textParam('path', 'The secret of the request\'s page.') },
    query: { lang: langQuery },
    responses: { 200: html('The QR code and link while waiting; the report once the wallet has answered.') },
    errors: { 404: 'No such request, or it has expired.' },
    handler: async ({ headers, rawQuery, path }, { ctx }) => {
      const pc = pageContext({ headers, query: rawQuery }, ctx);
      const result = await stackingExchangeResult(ctx, path.secret);
      const self = `${pc.base}/stacking/wallet/${path.secret}`;
      const body = result.report ? (
        <>
          <h1>{stackingWord(pc.lang, 'walletHeading')}</h1>
          <StackingReportView pc={pc} report={result.report} />
        </>
      ) : (
        <WalletWaiting pc={pc} interaction={result.interaction ?? ''} qr={await qrImageUrl(result.interaction ?? '')} expiresAt={result.expiresAt} self={self} title={result.rules.title} />
      );
      return htmlPage(pc, { title: stackingWord(pc.lang, 'walletHeading'), noindex: true, body });
    },
  }),
]);

/** The form of a page (415 for anything but a multipart form). */
async function readMultipartForm(stream: NonNullable<Parameters<typeof readMultipart>[0]>, headers: Parameters<typeof readMultipart>[1]) {
  const type = String(headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data')) {
    throw problems.unsupportedMedia(`This form is sent as multipart/form-data; found ${JSON.stringify(headers['content-type'] ?? 'no Content-Type')}.`);
  }
  return readMultipart(stream, headers);
}
