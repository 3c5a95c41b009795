/**
 * What several routers share: the component schemas of the OpenAPI document, and the parameters and body fields
 * more than one route takes.
 */
import type { JsonSchema } from '../http/declare.js';
import { algParam, enumField, flagField, flagParam, formatParam, objectField, slugParam, textField, textParam } from '../http/inputs.js';

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** `components.schemas` of the OpenAPI document. */
export const COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details.',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      parameter: { type: 'object', description: 'The parameter refused: where it is (path, query, body) and its name.', properties: { in: { enum: ['path', 'query', 'body'] }, name: { type: 'string' } } },
      problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, expected: { type: 'string' }, found: { type: 'string' }, message: { type: 'string' } } } },
    },
  },
  OAuthError: {
    type: 'object',
    description: 'RFC 6749 §5.2 error answer (OAuth-style endpoints).',
    required: ['error'],
    properties: { error: { type: 'string' }, error_description: { type: 'string' } },
  },
  CompletionRecord: { type: 'object', description: 'A completion record (see src/schemas/completion-record.schema.json).', required: ['recordId', 'learner', 'course', 'result'] },
  StatusEntry: {
    type: 'object',
    properties: { id: { type: 'string' }, type: { const: 'BitstringStatusListEntry' }, statusPurpose: { type: 'string' }, statusListIndex: { type: 'string' }, statusListCredential: { type: 'string' } },
  },
  CredentialResource: {
    type: 'object',
    required: ['id', 'issuer', 'recordId', 'format', 'status', 'credential'],
    properties: {
      id: { type: 'string' },
      issuer: { type: 'string' },
      recordId: { type: 'string' },
      format: { enum: ['di', 'jwt'] },
      status: { enum: ['active', 'revoked', 'suspended'] },
      reason: { type: 'string' },
      awardedDate: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      supersededBy: { type: 'string' },
      pageUrl: { type: 'string', format: 'uri', description: "The credential's public page (an unguessable URL): the link the learner shares." },
      outcome: { enum: ['issued', 'existing'] },
      superseded: { type: 'array', items: { type: 'string' } },
      credentialStatus: ref('StatusEntry'),
      suspensionStatus: ref('StatusEntry'),
      credential: { description: 'The signed credential: a JSON object (di) or a compact JWS (jwt).', oneOf: [{ type: 'object' }, { type: 'string' }] },
      claimMail: {
        type: 'array',
        description: 'Claim e-mails of the credential (issuing and reading one credential): pending, sent, failed (after retries) or skipped, with why (no SMTP configured, no address on the record, no from address).',
        items: {
          type: 'object',
          properties: { id: { type: 'string' }, state: { enum: ['pending', 'sent', 'failed', 'skipped'] }, attempts: { type: 'integer' }, outcome: { type: 'string' }, sentAt: { type: 'string' }, createdAt: { type: 'string' } },
        },
      },
    },
  },
  VerificationReport: {
    type: 'object',
    properties: {
      verified: { type: 'boolean' },
      checks: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, status: { enum: ['pass', 'fail', 'warning', 'not-applicable', 'unknown'] }, message: { type: 'string' } } } },
      errors: { type: 'array', items: { type: 'string' } },
      warnings: { type: 'array', items: { type: 'string' } },
      problemDetails: { type: 'array', items: { type: 'object' } },
    },
  },
};

/** Longest reason for a status change, and longest credential id a caller may choose. */
export const MAX_REASON = 500;
export const MAX_ID = 2048;

export const slug = slugParam;
export const credentialId = textParam('path', 'Credential id (urn:uuid:…), URL-encoded.');

/** Query parameters of the issuing routes (a body's `options` may give them instead), in the order they are checked. */
export const issueQuery = {
  alg: algParam,
  format: formatParam,
  reissue: flagParam('Replace (revoke) the current credential of a changed record, keeping its awardedDate.'),
};

/** `options` of an issuing request body (the same as the query parameters, which they override). */
export const issueOptions = objectField(
  {
    alg: enumField('JWT algorithm.', ['ES256', 'EdDSA']),
    format: enumField('Proof format.', ['di', 'jwt']),
    reissue: flagField('Replace the current credential of a changed record.'),
  },
  { typed: false, description: 'Issuing options (override the query parameters).' },
);

/** `reason` of a status change. */
export const reasonField = textField('Why (recorded in the audit log; shown to the holder for a suspension).', MAX_REASON);
