/**
 * The public pages and what issuers decide about them:
 * - `credentialPages`: the learner's page of each credential at `/c/{token}` (an unguessable token) and its
 *   downloads (JSON, VC-JWT, baked PNG and SVG, PDF certificate);
 * - `verifyPages`: the employer's verification page `/verify` (paste, upload, web address);
 * - `pageSettings`: withdrawing a page, opting in to search engines, an achievement's badge image (upload and the
 *   public image every credential of the course names as `achievement.image`).
 */
import { label } from '../../display/i18n/index.js';
import { DOWNLOADS, learnerPageData, pageDownload, uploadedLogos } from '../credential-page.js';
import type { DownloadName } from '../credential-page.js';
import { defineRoute, empty, html, json, text } from '../http/declare.js';
import type { Reply, Router } from '../http/declare.js';
import { enumParam, flagField, flagValue, objectField, textParam } from '../http/inputs.js';
import { changePageSettings, restoreCredentialPage, servedAchievementImage, servedIssuerLogo, uploadAchievementImage, uploadIssuerLogo, withdrawCredentialPage } from '../page-admin.js';
import { learnerPageReply } from '../pages/learner.js';
import { langQuery, pageContext } from '../pages/page.js';
import { pageRouter } from '../pages/router.js';
import { verifyResultReply, verifyStartReply } from '../pages/verify.js';
import { problems } from '../problem.js';
import { pageSettings as readPageSettings } from '../../store/pages.js';
import { checkSubmission, readSubmission, SubmissionError } from '../verify-submission.js';
import { credentialId, slug } from './schemas.js';

const token = textParam('path', "The page's token (from the credential's pageUrl).");
const file = enumParam('path', 'The file.', DOWNLOADS, (_n, value) => problems.notFound(`There is no file ${JSON.stringify(value)} here.`));

const learnerPage = defineRoute({
  method: 'get',
  path: '/c/{token}',
  summary: "A credential's public page (the link the learner shares)",
  description: 'Server-rendered, in English or Welsh: live status, every element of the signed credential, downloads, sharing. noindex unless the issuer opted in.',
  tags: ['pages'],
  auth: 'public',
  params: { token },
  query: { lang: langQuery },
  responses: { 200: html('The page.') },
  errors: { 404: 'No such page, or the issuer withdrew it.' },
  handler: async ({ path, headers, rawQuery }, { ctx, verifier }) => {
    const pc = pageContext({ headers, query: rawQuery }, ctx);
    const data = await learnerPageData(ctx, verifier, path.token, label(pc.lang, 'page.hostedList', { site: pc.siteName }));
    return learnerPageReply(pc, data);
  },
});

const download = defineRoute({
  method: 'get',
  path: '/c/{token}/{file}',
  summary: "A download of a credential's page: credential.json, credential.jwt, badge.png, badge.svg (baked) or certificate.pdf",
  tags: ['pages'],
  auth: 'public',
  params: { token, file },
  query: { lang: langQuery },
  responses: {
    200: {
      description: 'The file (as an attachment).',
      content: {
        'application/vc+ld+json': { type: 'object' },
        'application/vc+jwt': { type: 'string' },
        'image/png': { type: 'string', contentEncoding: 'binary' },
        'image/svg+xml': { type: 'string' },
        'application/pdf': { type: 'string', contentEncoding: 'binary' },
      },
    },
  },
  errors: { 404: 'No such page or file.', 410: 'The credential is revoked: nothing is offered.' },
  handler: async ({ path, headers, rawQuery }, { ctx, verifier }) => {
    const pc = pageContext({ headers, query: rawQuery }, ctx);
    const data = await learnerPageData(ctx, verifier, path.token, label(pc.lang, 'page.hostedList', { site: pc.siteName }));
    const out = await pageDownload(ctx, data, path.file as DownloadName, pc.lang);
    return {
      type: out.type,
      body: out.body,
      headers: { 'Content-Disposition': `attachment; filename="${out.filename}"`, 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' },
    };
  },
});

export const credentialPages = pageRouter('credential-pages', [learnerPage, download]);

const verifyStart = defineRoute({
  method: 'get',
  path: '/verify',
  summary: 'The verification page: check a credential by pasting it, uploading it or giving its web address',
  tags: ['pages'],
  auth: 'public',
  query: { lang: langQuery },
  responses: { 200: html('The page with its forms.') },
  handler: ({ headers, rawQuery }, { ctx }) => {
    const pc = pageContext({ headers, query: rawQuery }, ctx);
    return verifyStartReply(pc);
  },
});

const verifySubmit = defineRoute({
  method: 'post',
  path: '/verify',
  summary: 'Check a submitted credential or presentation (nothing submitted is stored or logged)',
  tags: ['pages'],
  auth: 'public',
  query: { lang: langQuery },
  body: {
    required: true,
    stream: true,
    content: {
      'multipart/form-data': {
        type: 'object',
        properties: {
          credential: { type: 'string', description: 'A credential or presentation: JSON or a compact JWT.' },
          file: { type: 'string', contentEncoding: 'binary', description: 'A JSON or JWT file, or a baked PNG/SVG badge.' },
          url: { type: 'string', format: 'uri', description: 'An https URL of a credential or baked badge.' },
        },
      },
    },
  },
  responses: { 200: html('The verdict, each check, and the content.') },
  errors: { 400: 'Nothing was submitted.', 413: 'Too large.', 415: 'Not a form (multipart/form-data).', 422: 'Not a credential, or the web address could not be fetched.' },
  handler: async ({ headers, rawQuery, stream }, { ctx, verifier }) => {
    const pc = pageContext({ headers, query: rawQuery }, ctx);
    try {
      if (!stream || !/^multipart\/form-data/i.test(headers['content-type'] ?? '')) throw new SubmissionError('empty', undefined, 415);
      const checked = await checkSubmission(ctx, verifier, await readSubmission(stream, headers));
      const signers = checked.kind === 'credential' ? [checked.report.signer] : checked.report.credentials.map((r) => r.signer);
      return verifyResultReply(pc, checked, await uploadedLogos(ctx, signers));
    } catch (e) {
      if (!(e instanceof SubmissionError)) throw e;
      // Said on the page, never logged: the reason may quote what was submitted.
      return verifyStartReply(pc, e);
    }
  },
});

export const verifyPages = pageRouter('verify-pages', [verifyStart, verifySubmit]);

const courseCode = textParam('path', 'Course code of the achievement (URL-encoded).');
const IMAGE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  // An image for wallets and other sites to show; as a document it may do nothing.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Access-Control-Allow-Origin': '*',
};

/** A served image with its cache headers, or 304 when the client holds it (If-None-Match). */
function imageReply(img: { type: string; body: Uint8Array | string; etag: string }, ifNoneMatch: string | undefined): Reply {
  const headers = { ...IMAGE_HEADERS, ETag: img.etag, 'Cache-Control': 'public, max-age=300' };
  return ifNoneMatch === img.etag ? { status: 304, headers, empty: true } : { type: img.type, headers, body: img.body };
}

export const pageSettings: Router = {
  name: 'page-settings',
  routes: [
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/credentials/{id}/page/withdraw',
      summary: "Withdraw a credential's public page (404 from then on; the credential still verifies)",
      tags: ['pages'],
      auth: { scope: 'revoke', issuer: 'path' },
      params: { slug, id: credentialId },
      responses: { 200: json('Withdrawn.', { type: 'object', properties: { id: { type: 'string' }, pageUrl: { type: 'string' }, withdrawnAt: { type: 'string', format: 'date-time' } } }) },
      errors: { 404: 'Unknown issuer or credential.' },
      handler: async ({ path, principal }, { ctx }) => ({ json: await withdrawCredentialPage(ctx, path.slug, path.id, principal?.actor as string) }),
    }),
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/credentials/{id}/page/restore',
      summary: "Put a withdrawn credential page back, at its old address or (newLink) at a new one",
      description: 'With {"newLink": true} the page gets a new unguessable address and the old one stays a 404 (for a link that went where it should not); a page that is not withdrawn gets a new address only when newLink is asked for.',
      tags: ['pages'],
      auth: { scope: 'revoke', issuer: 'path' },
      params: { slug, id: credentialId },
      body: { required: false, content: { 'application/json': undefined }, fields: objectField({ newLink: flagField('A new address for the page; the old one stays a 404 (default false).') }) },
      responses: { 200: json('The page is back.', { type: 'object', properties: { id: { type: 'string' }, pageUrl: { type: 'string' } } }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer or credential.' },
      handler: async ({ path, body, principal }, { ctx }) => ({ json: await restoreCredentialPage(ctx, path.slug, path.id, principal?.actor as string, { newLink: flagValue(body.newLink) }) }),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/page-settings',
      summary: "The issuer's page settings (indexable: search engines may index its credential pages)",
      tags: ['pages'],
      auth: { scope: 'read', issuer: 'path' },
      params: { slug },
      responses: { 200: json('Settings.', { type: 'object', properties: { indexable: { type: 'boolean' } } }) },
      errors: { 404: 'Unknown issuer.' },
      handler: async ({ path }, { ctx }) => {
        await ctx.issuer(path.slug);
        return { json: await readPageSettings(ctx.db, path.slug) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/issuers/{slug}/page-settings',
      summary: 'Opt in to (or out of) search engines indexing the issuer\'s credential pages (default: noindex)',
      tags: ['pages'],
      auth: { scope: 'admin', issuer: 'path' },
      params: { slug },
      body: { required: true, content: { 'application/json': undefined }, fields: objectField({ indexable: flagField('Search engines may index the pages.') }, { required: ['indexable'] }) },
      responses: { 200: json('Settings.', { type: 'object', properties: { indexable: { type: 'boolean' } } }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer.' },
      handler: async ({ path, body, principal }, { ctx }) => {
        const indexable = flagValue(body.indexable);
        return { json: await changePageSettings(ctx, path.slug, { indexable }, principal?.actor as string) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/issuers/{slug}/achievements/{code}/image',
      summary: 'Upload the badge image of an achievement (a course code): PNG or SVG, at most 1 MiB',
      tags: ['pages'],
      auth: { scope: 'admin', issuer: 'path' },
      params: { slug, code: courseCode },
      body: { required: true, stream: true, content: { 'image/png': { type: 'string', contentEncoding: 'binary' }, 'image/svg+xml': { type: 'string' } } },
      responses: { 200: json('Stored.', { type: 'object', properties: { mediaType: { type: 'string' }, sha256: { type: 'string' }, size: { type: 'integer' } } }) },
      errors: { 404: 'Unknown issuer.', 413: 'Larger than 1 MiB.', 415: 'Not a PNG or SVG image.', 422: 'Not a usable badge image (damaged, or already carrying a credential).' },
      handler: async ({ path, headers, stream, principal }, { ctx }) => {
        if (!stream) throw problems.badRequest('This request needs the image as its body.');
        return { json: await uploadAchievementImage(ctx, path.slug, path.code, stream, headers['content-type'], principal?.actor as string) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/achievements/{code}/image',
      summary: "An achievement's badge image (achievement.image of its credentials): uploaded, else drawn by microcred",
      tags: ['pages'],
      auth: 'public',
      params: { slug, code: courseCode },
      responses: { 200: text('The image.', 'image/svg+xml'), 304: empty('Not modified (If-None-Match).') },
      errors: { 404: 'No such issuer or achievement.' },
      handler: async ({ path, headers }, { ctx }) => {
        return imageReply(await servedAchievementImage(ctx, path.slug, path.code), headers['if-none-match']);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/issuers/{slug}/logo',
      summary: "Upload the issuer's logo: PNG or SVG, at most 1 MiB (the pages show it for credentials whose logo is a URL of another site)",
      tags: ['pages'],
      auth: { scope: 'admin', issuer: 'path' },
      params: { slug },
      body: { required: true, stream: true, content: { 'image/png': { type: 'string', contentEncoding: 'binary' }, 'image/svg+xml': { type: 'string' } } },
      responses: { 200: json('Stored.', { type: 'object', properties: { mediaType: { type: 'string' }, sha256: { type: 'string' }, size: { type: 'integer' } } }) },
      errors: { 404: 'Unknown issuer.', 413: 'Larger than 1 MiB.', 415: 'Not a PNG or SVG image.' },
      handler: async ({ path, headers, stream, principal }, { ctx }) => {
        if (!stream) throw problems.badRequest('This request needs the image as its body.');
        return { json: await uploadIssuerLogo(ctx, path.slug, stream, headers['content-type'], principal?.actor as string) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/logo',
      summary: "The issuer's uploaded logo",
      tags: ['pages'],
      auth: 'public',
      params: { slug },
      responses: { 200: text('The image.', 'image/svg+xml'), 304: empty('Not modified (If-None-Match).') },
      errors: { 404: 'No such issuer, or it uploaded no logo.' },
      handler: async ({ path, headers }, { ctx }) => {
        return imageReply(await servedIssuerLogo(ctx, path.slug), headers['if-none-match']);
      },
    }),
  ],
};
