/**
 * W3C VC-API (VCALM): issuing any VC Data Model credential for the API key's issuer (or the issuer in the path),
 * verifying credentials and presentations, and setting status. Request and result shapes are the VC-API's own.
 *
 * Issue options (`options`): `cryptosuite` (eddsa-rdfc-2022, the default; eddsa-jcs-2022; ecdsa-rdfc-2019),
 * `format` di or jwt (jwt when `alg` or `profile` is given), `profile` (vc-jose-cose, the default for generic
 * credentials; ob-vc-jwt, the default for Open Badges), `alg` (ES256, EdDSA; ES384 is refused: key sets hold no
 * P-384 key), `credentialId`, and `credentialStatus`: `{type: "BitstringStatusListEntry", statusPurpose}` or a list
 * of them, the entries to allocate from the issuer's lists (default: revocation). Proof shape of the answer: one
 * object for generic credentials, a list for Open Badges (see src/credential/vc-api.ts).
 */
import { CRYPTOSUITES } from '../../keyset/cryptosuites.js';
import { isCompactJws } from '../../lib/jws.js';
import { JWT_PROFILES } from '../../proof/jwt.js';
import type { ServiceContext } from '../context.js';
import { defineRoute, empty, json } from '../http/declare.js';
import type { AnyRoute, Reply, Router } from '../http/declare.js';
import { checkedElsewhere, enumField, enumParam, integerParam, objectField, textField } from '../http/inputs.js';
import { issueVcApiCredential } from '../issuance.js';
import { badParam } from '../params.js';
import { problems } from '../problem.js';
import { verifiableCredential } from '../resources.js';
import { statusListCredential } from '../publish.js';
import { unwrapEnveloped } from '../verification.js';
import {
  applyStatusRequest,
  credentialVerificationResult,
  issueRequestOptions,
  presentationRefusal,
  presentationVerificationResult,
  statusRequest,
  wantsStatusCheck,
} from '../vc-api.js';
import { MAX_ID, MAX_REASON, ref, slug } from './schemas.js';

const ISSUE_SHAPE = 'The body must be {"credential": {...}, "options": {...}}.';
const NOT_JWT = 'verifiableCredential must be a credential object or a compact JWT; it is a string that is not a JWT (send the credential as a JSON object, not as JSON text in a string).';
const STATUS_REQUEST = { description: '{"type": "BitstringStatusListEntry", "statusPurpose": "revocation" | "suspension"}.', type: 'object', properties: { type: { enum: ['BitstringStatusListEntry'] }, statusPurpose: { enum: ['revocation', 'suspension'] } } };

const issueBody = objectField(
  {
    credential: checkedElsewhere(
      { type: 'object', description: 'The unsigned credential: any VC Data Model 2.0 (or 1.1) credential, checked against every rule of the data model; Open Badges also against the OB 3.0 schema. Every problem is listed.' },
      () => problems.badRequest(ISSUE_SHAPE),
    ),
    options: objectField(
      {
        cryptosuite: enumField('Data Integrity cryptosuite (default eddsa-rdfc-2022; ecdsa-rdfc-2019 signs with the P-256 key).', CRYPTOSUITES),
        format: enumField('Proof format: di (default) or jwt (default when alg or profile is given).', ['di', 'jwt']),
        profile: enumField('JWT profile (default: vc-jose-cose for generic credentials, ob-vc-jwt for Open Badges).', JWT_PROFILES),
        alg: enumField('JWT algorithm (default ES256 when the issuer has a P-256 key, else EdDSA; ES384 needs a P-384 key, which issuers do not hold).', ['ES256', 'ES384', 'EdDSA']),
        credentialId: textField('Id (a URL) for a credential that has none (default: a new urn:uuid).', MAX_ID),
        credentialStatus: checkedElsewhere({ description: 'The status entries to allocate: one request or a list (default: revocation).', oneOf: [STATUS_REQUEST, { type: 'array', items: STATUS_REQUEST }] }),
      },
      { typed: false },
    ),
  },
  { required: ['credential'] },
);

/** POST /credentials/issue and its per-issuer form: the issuer is the API key's, or the one in the path. */
function issueRoute(perIssuer: boolean): AnyRoute {
  return defineRoute({
    method: 'post',
    path: perIssuer ? '/issuers/{slug}/credentials/issue' : '/credentials/issue',
    summary: perIssuer ? 'VC-API: sign a credential for this issuer' : "VC-API: sign a credential for the API key's issuer",
    tags: ['vc-api'],
    auth: { scope: 'issue', issuer: perIssuer ? 'path' : 'key' },
    ...(perIssuer ? { params: { slug } } : {}),
    body: { required: true, content: { 'application/json': undefined }, fields: issueBody },
    responses: { 200: json('Already issued (same id, content and options): {verifiableCredential}.', { type: 'object' }), 201: json('{verifiableCredential}.', { type: 'object' }) },
    errors: {
      400: 'Malformed request (the credential is not an object, an option is unknown or does not fit the format).',
      404: 'Unknown issuer.',
      409: 'Another credential with this id exists.',
      422: 'The credential breaks a data model rule, the OB 3.0 schema or the profile, names another issuer, or asks for a suite the issuer has no key for (every problem listed, each with its rule).',
    },
    handler: async ({ body, principal, path }, { ctx }) => {
      const issuer = perIssuer ? (path as { slug: string }).slug : (principal?.key as { issuerSlug: string }).issuerSlug;
      const out = await issueVcApiCredential(ctx, issuer, body.credential, { ...issueRequestOptions(body.options), actor: principal?.actor as string });
      return { status: out.outcome === 'issued' ? 201 : 200, json: { verifiableCredential: verifiableCredential(out.row) } };
    },
  });
}

/** The credential to verify: an object, or a compact JWT (bare or enveloped); a 400 for anything else. */
function credentialToVerify(body: Readonly<Record<string, unknown>>): string | object {
  const sent = body.verifiableCredential ?? body.credential;
  const input = unwrapEnveloped(sent);
  if (input === undefined || input === null || (typeof input !== 'string' && typeof input !== 'object')) {
    throw problems.badRequest('The body must be {"verifiableCredential": <credential object or compact JWT>}.');
  }
  // A string is a VC-JWT; a credential sent as JSON text inside a string is malformed (VC-API sends objects).
  if (typeof sent === 'string' && !isCompactJws(sent)) {
    throw problems.badRequest(NOT_JWT, { problems: [{ path: '$.verifiableCredential', expected: 'a credential object or a compact JWT', found: 'a string that is not a JWT', message: NOT_JWT }] });
  }
  return input as string | object;
}

const anyBody = objectField({});

const statusBody = objectField(
  {
    credentialId: textField('Id of a credential this issuer issued.', MAX_ID, (path) => badParam('body', path, 'must be the id of a credential this issuer issued.')),
    credentialStatus: checkedElsewhere({
      description: 'Current VCALM: {type, statusPurpose} (id, statusListIndex, statusListCredential optional, checked against the credential\'s entry); the older drafts: [{type, status: "0"|"1"}].',
      oneOf: [{ type: 'object' }, { type: 'array' }],
    }),
    status: checkedElsewhere({ type: 'boolean', description: 'true sets the status (the default), false clears it.' }),
    indexAllocator: checkedElsewhere({ type: 'string', description: 'Ignored: this service allocates the indexes itself.' }),
    reason: textField('Why (audit log).', MAX_REASON),
  },
  { required: ['credentialId', 'credentialStatus'] },
);

/** POST /credentials/status and its per-issuer form. */
function statusRoute(perIssuer: boolean): AnyRoute {
  return defineRoute({
    method: 'post',
    path: perIssuer ? '/issuers/{slug}/credentials/status' : '/credentials/status',
    summary: 'VC-API: set or clear the revocation or suspension status of a credential',
    tags: ['vc-api'],
    auth: { scope: 'revoke', issuer: perIssuer ? 'path' : 'key' },
    ...(perIssuer ? { params: { slug } } : {}),
    body: { required: true, content: { 'application/json': undefined }, fields: statusBody },
    responses: { 200: json('Updated: {credentialId, status}.', { type: 'object' }) },
    errors: { 400: 'Malformed request (also: an entry that is not this credential\'s).', 404: 'Unknown credential.', 409: 'Revocation cannot be cleared.' },
    handler: async ({ body, principal, path }, { ctx }) => {
      const request = statusRequest(body);
      const issuer = perIssuer ? (path as { slug: string }).slug : (principal?.key as { issuerSlug: string }).issuerSlug;
      const reason = (body.reason as string | undefined) ?? 'status set through the VC-API';
      const row = await applyStatusRequest(ctx, issuer, body.credentialId as string, request, reason, principal?.actor as string);
      return { json: { credentialId: row.id, status: row.status } };
    },
  });
}

const listPurpose = enumParam('path', 'Status purpose.', ['revocation', 'suspension'] as const, (_name, value) =>
  problems.notFound(`Status lists are "revocation" or "suspension"; found ${JSON.stringify(value)}.`),
);
const listSeq = integerParam('path', 'Number of the list (1, 2, …).', 1, 999_999_999, {
  digits: /^[1-9]\d{0,8}$/,
  refuse: (_name, value) => problems.notFound(`Status list numbers are positive integers; found ${JSON.stringify(value)}.`),
});

async function publishList(ctx: ServiceContext, issuer: string, purpose: 'revocation' | 'suspension', seq: number): Promise<Reply> {
  await statusListCredential(ctx, issuer, purpose, seq);
  return { status: 204, empty: true };
}

/**
 * The publish step the W3C Bitstring Status List suite calls after a status change (`<statusListCredential>/publish`,
 * a Digital Bazaar convention). Lists here are signed when read, so every change is already published: this checks
 * the list exists and answers 204.
 */
const publishRoute = defineRoute({
  method: 'post',
  path: '/issuers/{slug}/status-lists/{purpose}/{seq}/publish',
  summary: 'Publish a status list (lists are always current here: 204 for a list of this issuer)',
  tags: ['vc-api'],
  auth: { scope: 'revoke', issuer: 'path' },
  params: { slug, purpose: listPurpose, seq: listSeq },
  body: { required: false, content: { 'application/json': undefined }, fields: objectField({}) },
  responses: { 204: empty('Published.') },
  errors: { 404: 'Unknown issuer or list.' },
  handler: ({ path }, { ctx }) => publishList(ctx, path.slug, path.purpose, path.seq),
});

export const vcApi: Router = {
  name: 'vc-api',
  routes: [
    issueRoute(false),
    issueRoute(true),
    defineRoute({
      method: 'post',
      path: '/credentials/verify',
      summary: 'VC-API: verify a credential (JSON or compact JWT)',
      tags: ['vc-api'],
      auth: 'public',
      body: {
        required: true,
        content: { 'application/json': { type: 'object', required: ['verifiableCredential'], properties: { verifiableCredential: { oneOf: [{ type: 'object' }, { type: 'string' }] }, options: { type: 'object' } } } },
        fields: anyBody,
      },
      responses: { 200: json('Valid.', ref('VerificationReport')), 422: json('Not valid: the report names the failed checks.', ref('VerificationReport')) },
      errors: { 400: 'Malformed request.' },
      handler: async ({ body }, { ctx, verifier }) => {
        const input = credentialToVerify(body);
        const report = await verifier.credential(input, { checkStatus: wantsStatusCheck(body.options) });
        ctx.metrics.verified.inc({ kind: 'credential', result: report.verified ? 'valid' : 'invalid' });
        return { status: report.verified ? 200 : 422, json: credentialVerificationResult(report), ...(report.verified ? {} : { problemType: 'verification-failed' }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/presentations/verify',
      summary: 'VC-API: verify a presentation and the credentials in it',
      tags: ['vc-api'],
      auth: 'public',
      body: {
        required: true,
        content: { 'application/json': { type: 'object', properties: { verifiablePresentation: { type: 'object' }, presentation: { type: 'object' }, options: { type: 'object', properties: { challenge: { type: 'string' }, domain: { type: 'string' } } } } } },
        fields: anyBody,
      },
      responses: { 200: json('Valid.', { type: 'object' }), 422: json('Not valid.', { type: 'object' }) },
      errors: { 400: 'Malformed request (a credential inside sent as JSON text in a string).', 422: 'Not a conforming presentation: every data model problem listed, with its rule.' },
      handler: async ({ body }, { verifier }) => {
        const unsigned = body.verifiablePresentation === undefined && body.presentation !== undefined;
        const vp = body.verifiablePresentation ?? body.presentation;
        if (!vp || typeof vp !== 'object' || Array.isArray(vp)) {
          throw problems.badRequest('The body must be {"verifiablePresentation": {...}, "options": {"challenge", "domain"}} or {"presentation": {...}}.');
        }
        const refused = presentationRefusal(vp as Record<string, unknown>, unsigned ? '$.presentation' : '$.verifiablePresentation');
        if (refused) throw refused;
        const opts = (body.options as Record<string, unknown> | undefined) ?? {};
        const report = await verifier.presentation(vp as Record<string, unknown>, {
          unsigned,
          ...(typeof opts.challenge === 'string' ? { challenge: opts.challenge } : {}),
          ...(typeof opts.domain === 'string' ? { domain: opts.domain } : {}),
        });
        return { status: report.verified ? 200 : 422, json: presentationVerificationResult(report), ...(report.verified ? {} : { problemType: 'verification-failed' }) };
      },
    }),
    statusRoute(false),
    statusRoute(true),
    publishRoute,
  ],
};
