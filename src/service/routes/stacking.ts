/**
 * Stacking: an issuer's parent courses with their stacking rules, checking a learner's set of credentials against
 * them (`POST /stacking/check`, JSON or a multipart upload), the signed CLR 2.0 transcript of a met set, and the
 * VC-API exchange that receives the set from a wallet.
 */
import { defineRoute, json } from '../http/declare.js';
import type { JsonSchema, Router } from '../http/declare.js';
import { checkedElsewhere, objectField, textParam } from '../http/inputs.js';
import { reportJson, runStackingCheck } from '../stacking/check.js';
import { participateStacking, resolveExchange, stackingExchangeResult, stackingInteraction, startStackingExchange } from '../stacking/exchange.js';
import { readCheckRequest, rulesChoice } from '../stacking/input.js';
import { parentCourse, parentCourseList, putParentCourse } from '../stacking/parent-courses.js';
import { signTranscript } from '../stacking/transcript.js';
import { slug } from './schemas.js';

const code = textParam('path', 'Code of the parent course (letters, digits and . _ -).');
const secret = textParam('path', 'The secret of the exchange URL.');

const RULES: JsonSchema = { type: 'object', description: 'Stacking rules (src/schemas/stacking-rules.schema.json): every problem is listed with its JSON path.' };
const CHECK_REQUEST: JsonSchema = {
  type: 'object',
  description:
    'The set: "credentials" (objects, JSON text, compact JWTs, or baked PNG/SVG badges as base64 or data: URLs) and/or "presentation" (a verifiable presentation, with "challenge" and "domain" to check); the rules: "rules" (a document) or "parentCourse" ({"issuer", "code"} of a stored parent course); optional "learner" ({did, name, email, studentId}).',
  properties: {
    credentials: { type: 'array', items: { oneOf: [{ type: 'object' }, { type: 'string' }] } },
    presentation: { type: 'object' },
    rules: RULES,
    parentCourse: { type: 'object', properties: { issuer: { type: 'string' }, code: { type: 'string' } } },
    learner: { type: 'object', properties: { did: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, studentId: { type: 'string' } } },
    challenge: { type: 'string' },
    domain: { type: 'string' },
    exchange: { type: 'string', description: 'Instead of all the above: the secret of a completed wallet exchange (the last segment of its result URL); its set is checked again against its rules.' },
  },
};
const CHECK_FORM: JsonSchema = {
  type: 'object',
  description: 'Files "credential" (repeatable: JSON, a JWT, a baked PNG/SVG, or a JSON list), "presentation"; "rules" (a file or field) or field "parentCourse" ("slug/code"); field "learnerName".',
};
const REPORT: JsonSchema = { type: 'object', description: 'The stacking report: met, rules, learner, totals, requirements, credentials (how each was used), notes, and "sentences" (the whole report in plain sentences, verdict first).' };
const checkBody = { required: true, stream: true, content: { 'application/json': CHECK_REQUEST, 'multipart/form-data': CHECK_FORM } } as const;

const startBody = objectField(
  {
    rules: checkedElsewhere(RULES),
    parentCourse: checkedElsewhere({ type: 'object', description: '{"issuer", "code"} of a stored parent course.', properties: { issuer: { type: 'string' }, code: { type: 'string' } } }),
  },
  { description: 'The rules to check the set against: "rules" or "parentCourse".' },
);

export const stacking: Router = {
  name: 'stacking',
  routes: [
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/parent-courses',
      summary: 'Parent courses of an issuer, with their stacking rules',
      tags: ['stacking'],
      auth: 'public',
      params: { slug },
      responses: { 200: json('{parentCourses: [{issuer, code, title, rules, createdAt, updatedAt}]}.', { type: 'object' }) },
      errors: { 404: 'Unknown issuer.' },
      handler: async ({ path }, { ctx }) => ({ json: await parentCourseList(ctx, path.slug) }),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/parent-courses/{code}',
      summary: 'One parent course and its stacking rules',
      tags: ['stacking'],
      auth: 'public',
      params: { slug, code },
      responses: { 200: json('{issuer, code, title, rules, createdAt, updatedAt}.', { type: 'object' }) },
      errors: { 404: 'Unknown issuer or parent course.' },
      handler: async ({ path }, { ctx }) => ({ json: await parentCourse(ctx, path.slug, path.code) }),
    }),
    defineRoute({
      method: 'put',
      path: '/issuers/{slug}/parent-courses/{code}',
      summary: 'Store the stacking rules of a parent course',
      description: 'The body is the rules document; "parent.code", when given, must be the code of the URL. An identical PUT changes nothing.',
      tags: ['stacking'],
      auth: { scope: 'issue', issuer: 'path' },
      params: { slug, code },
      body: { required: true, content: { 'application/json': RULES } },
      responses: { 200: json('Changed, or unchanged (identical rules).', { type: 'object' }), 201: json('Created.', { type: 'object' }) },
      errors: { 400: 'The body is not JSON.', 404: 'Unknown issuer, or a code no parent course can have.', 422: 'The rules do not validate (every problem with its JSON path).' },
      handler: async ({ path, body, principal }, { ctx }) => {
        const out = await putParentCourse(ctx, path.slug, path.code, body, { actor: principal?.actor as string });
        return { status: out.outcome === 'created' ? 201 : 200, json: { ...out.course, outcome: out.outcome } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/stacking/check',
      summary: 'Check a set of credentials against a parent course\'s rules',
      description: 'Each credential is verified; the report says whether the rules are met, what each rule counted and what is missing, and how each credential was used, as data and as plain sentences.',
      tags: ['stacking'],
      auth: 'public',
      body: checkBody,
      responses: { 200: json('The report (also when the rules are not met).', REPORT) },
      errors: { 400: 'A field is malformed (named in "parameter").', 404: 'The parent course or exchange named is not here.', 409: 'The exchange named has not received a presentation yet.', 413: 'Too large.', 415: 'Neither JSON nor a multipart form.', 422: 'The rules do not validate (every problem with its JSON path).' },
      handler: async ({ stream, headers }, { ctx, verifier }) => {
        const { request, rules } = await resolveExchange(ctx, await readCheckRequest(stream!, headers));
        return { json: reportJson(await runStackingCheck(ctx, verifier, request, rules)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/stacking/transcripts',
      summary: 'Sign the CLR 2.0 transcript of a set that meets the rules',
      description: 'The same request as POST /stacking/check; when the rules are met, the issuer signs a CLR 2.0 ClrCredential (Data Integrity eddsa-rdfc-2022) embedding the credentials that counted, each linked to the parent award with an isPartOf association.',
      tags: ['stacking'],
      auth: { scope: 'issue', issuer: 'path' },
      params: { slug },
      body: checkBody,
      responses: { 201: json('{verifiableCredential: the signed ClrCredential, report}.', { type: 'object' }) },
      errors: { 400: 'A field is malformed (named in "parameter").', 404: 'Unknown issuer, parent course or exchange.', 409: 'The exchange named has not received a presentation yet.', 413: 'Too large.', 415: 'Neither JSON nor a multipart form.', 422: 'The rules do not validate, or the set does not meet them ("stacking-not-met", with the report).' },
      handler: async ({ path, stream, headers, principal }, { ctx, verifier }) => {
        const request = await readCheckRequest(stream!, headers);
        return { status: 201, json: await signTranscript(ctx, verifier, path.slug, request, { actor: principal?.actor as string }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/stacking/exchanges',
      summary: 'Start receiving a learner\'s credentials from a wallet',
      description: 'Answers the interaction URL for a QR code (the Learner Credential Wallet reads it), the VC-API exchange URL and the URL of the result (keep it: it is the only way to the result). Open 30 minutes.',
      tags: ['stacking'],
      auth: 'public',
      body: { required: true, content: { 'application/json': undefined }, fields: startBody },
      responses: { 201: json('{id, expiresAt, urls: {interaction, exchange, result, page}, rules: {title, parentCourse?}}.', { type: 'object' }) },
      errors: { 400: 'Neither or both of "rules" and "parentCourse".', 404: 'The parent course named is not stored here.', 422: 'The rules do not validate.' },
      handler: async ({ body }, { ctx }) => {
        const started = await startStackingExchange(ctx, rulesChoice(body));
        return { status: 201, location: started.urls.result, json: started };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/stacking/interactions/{secret}',
      summary: 'VCALM interaction URL of a stacking exchange (for the QR code)',
      tags: ['stacking', 'wallet'],
      auth: 'public',
      cors: true,
      params: { secret },
      responses: { 200: json('{protocols: {vcapi: the exchange URL}}.', { type: 'object' }) },
      errors: { 404: 'No such exchange, or it has expired.' },
      handler: async ({ path }, { ctx }) => ({ headers: { 'Cache-Control': 'no-store' }, json: await stackingInteraction(ctx, path.secret) }),
    }),
    defineRoute({
      method: 'post',
      path: '/stacking/exchanges/{secret}',
      summary: 'VC-API exchange: the wallet asks for the request, then posts its presentation',
      tags: ['stacking', 'wallet'],
      auth: 'public',
      cors: true,
      params: { secret },
      body: { required: false, content: { 'application/json': { type: 'object', description: '{} to start; {"verifiablePresentation": {...}} to answer.' } } },
      responses: { 200: json('{verifiablePresentationRequest} for {}; {} once the presentation is accepted and checked.', { type: 'object' }) },
      errors: { 400: 'The presentation is refused: wrong challenge or domain, bad signature, signer not the holder, not did:key.', 404: 'No such exchange, or it has expired.', 409: 'The exchange already received a presentation (a replay).' },
      handler: async ({ path, body }, { ctx, verifier }) => ({ headers: { 'Cache-Control': 'no-store' }, json: await participateStacking(ctx, verifier, path.secret, body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/stacking/results/{secret}',
      summary: 'The result of a stacking exchange (for the staff member who started it)',
      tags: ['stacking'],
      auth: 'public',
      params: { secret },
      responses: { 200: json('{state: pending | done, expiresAt, rules, interaction? (while pending), report? (when done)}.', { type: 'object' }) },
      errors: { 404: 'No such exchange, or it has expired.' },
      handler: async ({ path }, { ctx }) => ({ headers: { 'Cache-Control': 'no-store' }, json: await stackingExchangeResult(ctx, path.secret) }),
    }),
  ],
};

