/**
 * W3C VC-API (VCALM): issuing a credential for the API key's issuer, verifying credentials and presentations, and
 * setting status. Request and result shapes are the VC-API's own.
 */
import type { JwtAlg } from '../../keyset/keyset.js';
import type { CredentialFormat } from '../../store/credentials.js';
import { isCompactJws } from '../../verify/verify.js';
import { defineRoute, json } from '../http/declare.js';
import type { Router } from '../http/declare.js';
import { checkedElsewhere, enumField, objectField, textField } from '../http/inputs.js';
import { issueVcApiCredential } from '../issuance.js';
import { badParam } from '../params.js';
import { problems } from '../problem.js';
import { verifiableCredential } from '../resources.js';
import { unwrapEnveloped } from '../verification.js';
import { applyStatusRequest, credentialVerificationResult, presentationVerificationResult, statusRequest, wantsStatusCheck } from '../vc-api.js';
import { MAX_ID, MAX_REASON, ref } from './schemas.js';

const ISSUE_SHAPE = 'The body must be {"credential": {...}, "options": {...}}.';
const NOT_JWT = 'verifiableCredential must be a credential object or a compact JWT; it is a string that is not a JWT (send the credential as a JSON object, not as JSON text in a string).';

const issueBody = objectField(
  {
    credential: checkedElsewhere({ type: 'object', description: 'The unsigned credential (checked against the OB 3.0 schema; every problem is listed).' }, () => problems.badRequest(ISSUE_SHAPE)),
    options: objectField(
      {
        alg: enumField('JWT algorithm.', ['ES256', 'EdDSA']),
        credentialId: textField('Id to give the credential (default: a new urn:uuid).', MAX_ID),
        format: enumField('Proof format (default di).', ['di', 'jwt']),
      },
      { typed: false },
    ),
  },
  { required: ['credential'] },
);

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

export const vcApi: Router = {
  name: 'vc-api',
  routes: [
    defineRoute({
      method: 'post',
      path: '/credentials/issue',
      summary: "VC-API: sign a credential for the API key's issuer (checked against the OB 3.0 schema first)",
      tags: ['vc-api'],
      auth: { scope: 'issue', issuer: 'key' },
      body: { required: true, content: { 'application/json': undefined }, fields: issueBody },
      responses: { 200: json('Already issued.', { type: 'object' }), 201: json('{verifiableCredential}.', { type: 'object' }) },
      errors: { 400: 'Malformed request.', 409: 'Another credential with this id exists.', 422: 'Not a valid OB 3.0 credential (problems listed).' },
      handler: async ({ body, principal }, { ctx }) => {
        const opts = (body.options ?? {}) as { alg?: JwtAlg; credentialId?: string; format?: CredentialFormat };
        const key = principal?.key as { issuerSlug: string };
        const out = await issueVcApiCredential(ctx, key.issuerSlug, body.credential, {
          format: opts.format ?? 'di',
          ...(opts.credentialId !== undefined ? { credentialId: opts.credentialId } : {}),
          ...(opts.alg ? { alg: opts.alg } : {}),
          actor: principal?.actor as string,
        });
        return { status: out.outcome === 'issued' ? 201 : 200, json: { verifiableCredential: verifiableCredential(out.row) } };
      },
    }),
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
      errors: { 400: 'Malformed request.' },
      handler: async ({ body }, { verifier }) => {
        const unsigned = body.verifiablePresentation === undefined && body.presentation !== undefined;
        const vp = body.verifiablePresentation ?? body.presentation;
        if (!vp || typeof vp !== 'object' || Array.isArray(vp)) {
          throw problems.badRequest('The body must be {"verifiablePresentation": {...}, "options": {"challenge", "domain"}} or {"presentation": {...}}.');
        }
        const opts = (body.options as Record<string, unknown> | undefined) ?? {};
        const report = await verifier.presentation(vp as Record<string, unknown>, {
          unsigned,
          ...(typeof opts.challenge === 'string' ? { challenge: opts.challenge } : {}),
          ...(typeof opts.domain === 'string' ? { domain: opts.domain } : {}),
        });
        return { status: report.verified ? 200 : 422, json: presentationVerificationResult(report), ...(report.verified ? {} : { problemType: 'verification-failed' }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/credentials/status',
      summary: 'VC-API: set or clear the revocation or suspension status of a credential',
      tags: ['vc-api'],
      auth: { scope: 'revoke', issuer: 'key' },
      body: {
        required: true,
        content: { 'application/json': undefined },
        fields: objectField(
          {
            credentialId: textField('Id of a credential this issuer issued.', MAX_ID, (path) => badParam('body', path, 'must be the id of a credential this issuer issued.')),
            credentialStatus: checkedElsewhere({ description: '{type, statusPurpose} (with "status"), or the older [{type, status: "0"|"1"}].', oneOf: [{ type: 'object' }, { type: 'array' }] }),
            status: checkedElsewhere({ type: 'boolean', description: 'true sets the status, false clears it.' }),
            reason: textField('Why (audit log).', MAX_REASON),
          },
          { required: ['credentialId', 'credentialStatus'] },
        ),
      },
      responses: { 200: json('Updated.', { type: 'object' }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown credential.', 409: 'Revocation cannot be cleared.' },
      handler: async ({ body, principal }, { ctx }) => {
        const request = statusRequest(body);
        const key = principal?.key as { issuerSlug: string };
        const reason = (body.reason as string | undefined) ?? 'status set through the VC-API';
        const row = await applyStatusRequest(ctx, key.issuerSlug, body.credentialId as string, request, reason, principal?.actor as string);
        return { json: { credentialId: row.id, status: row.status } };
      },
    }),
  ],
};
