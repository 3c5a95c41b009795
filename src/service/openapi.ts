/**
 * The OpenAPI 3.1 description of the service, written by hand (a test checks that it and the express routes
 * list exactly the same operations).
 */

import { MICROCRED_PROFILE_SCHEMA_PATH } from '../schema/validate-profile.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (description: string, schema: Schema) => ({ description, content: { 'application/json': { schema } } });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const queryParam = (name: string, description: string, schema: Schema = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });

const slug = pathParam('slug', 'Issuer slug (path segment of its did:web).');
const credId = pathParam('id', 'Credential id (urn:uuid:…), URL-encoded.');
const bearer = [{ bearer: [] }];
const authErrors = { '401': problem('Missing or unknown API key.'), '403': problem('The API key lacks the scope or belongs to another issuer.') };
const common = { '400': problem('Malformed request (for example malformed JSON).'), '404': problem('Unknown issuer or resource.') };

const formatParams = [
  queryParam('format', 'Proof format (default di).', { enum: ['di', 'jwt'] }),
  queryParam('alg', 'JWT algorithm (default ES256 for did:web issuers).', { enum: ['ES256', 'EdDSA'] }),
  queryParam('reissue', 'Replace (revoke) the current credential of a changed record, keeping its awardedDate.', { type: 'boolean' }),
];

const statusChange = (summary: string, reasonRequired: boolean) => ({
  post: {
    summary,
    tags: ['status'],
    security: bearer,
    parameters: [slug, credId],
    requestBody: {
      required: reasonRequired,
      content: { 'application/json': { schema: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } }, ...(reasonRequired ? { required: ['reason'] } : {}) } } },
    },
    responses: { '200': json('The credential after the change.', ref('CredentialResource')), ...common, ...authErrors, '409': problem('Not possible in the current status (e.g. unsuspending a revoked credential).') },
  },
});

/**
 * The OpenAPI 3.1 document (servers = this deployment's public URL).
 *
 * @example
 * ```ts
 * res.json(openApiDocument('https://credentials.example.ac.uk'));
 * ```
 */
export function openApiDocument(publicUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'microcred issuance service',
      version: '0.1.0',
      description:
        'Issues Open Badges 3.0 micro-credentials from completion records, publishes issuer DID documents and Bitstring Status Lists, ' +
        'and verifies credentials. Errors are RFC 9457 problem details.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key created with `microcred apikey create` (stored only as a hash).' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, expected: { type: 'string' }, found: { type: 'string' }, message: { type: 'string' } } } },
          },
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
            outcome: { enum: ['issued', 'existing'] },
            superseded: { type: 'array', items: { type: 'string' } },
            credentialStatus: ref('StatusEntry'),
            suspensionStatus: ref('StatusEntry'),
            credential: { description: 'The signed credential: a JSON object (di) or a compact JWS (jwt).', oneOf: [{ type: 'object' }, { type: 'string' }] },
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
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness', tags: ['operations'], responses: { '200': json('Alive.', { type: 'object' }) } } },
      '/readyz': { get: { summary: 'Readiness: database reachable and issuer keys loaded', tags: ['operations'], responses: { '200': json('Ready.', { type: 'object' }), '503': problem('Not ready.') } } },
      '/metrics': { get: { summary: 'Prometheus metrics', tags: ['operations'], responses: { '200': { description: 'Text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/openapi.json': { get: { summary: 'This document', tags: ['operations'], responses: { '200': json('OpenAPI 3.1.', { type: 'object' }) } } },
      [MICROCRED_PROFILE_SCHEMA_PATH]: {
        get: {
          summary: "microcred's micro-credential profile schema (JSON Schema 2019-09), which credentials issued here list in credentialSchema",
          tags: ['publish'],
          responses: { '200': { description: 'The schema (cacheable for a day; ETag).', content: { 'application/schema+json': { schema: { type: 'object' } } } }, '304': { description: 'Not modified (If-None-Match).' } },
        },
      },
      '/.well-known/did.json': { get: { summary: "DID document of the issuer whose DID is the host's root did:web", tags: ['publish'], responses: { '200': { description: 'DID document.', content: { 'application/did+json': { schema: { type: 'object' } } } }, '404': problem('No root issuer.') } } },
      '/.well-known/jwks.json': { get: { summary: 'JWK Set of the root issuer', tags: ['publish'], responses: { '200': { description: 'JWK Set.', content: { 'application/jwk-set+json': { schema: { type: 'object' } } } }, '404': problem('No root issuer.') } } },
      '/issuers': {
        get: { summary: 'Issuers hosted here', tags: ['publish'], responses: { '200': json('Issuers.', { type: 'object' }) } },
        post: {
          summary: 'Create an issuer (deployment admin token)',
          tags: ['admin'],
          security: bearer,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['slug', 'profile'], properties: { slug: { type: 'string' }, profile: { type: 'object' }, jwtAlg: { enum: ['ES256', 'EdDSA'] }, root: { type: 'boolean', description: 'Use the host DID did:web:HOST (/.well-known/did.json).' } } } } } },
          responses: { '201': json('Created; keys generated, did:web assigned.', { type: 'object' }), '400': problem('Malformed request.'), ...authErrors, '422': problem('Invalid slug or profile.') },
        },
      },
      '/issuers/{slug}': { get: { summary: 'Issuer profile, DID and status lists', tags: ['publish'], parameters: [slug], responses: { '200': json('Issuer.', { type: 'object' }), '404': problem('Unknown issuer.') } } },
      '/issuers/{slug}/did.json': { get: { summary: 'Issuer DID document (did:web path form): active keys and keys of still-valid credentials', tags: ['publish'], parameters: [slug], responses: { '200': { description: 'DID document.', content: { 'application/did+json': { schema: { type: 'object' } } } }, '404': problem('Unknown issuer.') } } },
      '/issuers/{slug}/jwks.json': { get: { summary: 'Issuer JWK Set', tags: ['publish'], parameters: [slug], responses: { '200': { description: 'JWK Set.', content: { 'application/jwk-set+json': { schema: { type: 'object' } } } }, '404': problem('Unknown issuer.') } } },
      '/issuers/{slug}/status-lists/{purpose}/{seq}': {
        get: {
          summary: 'Signed BitstringStatusListCredential (ETag, short max-age)',
          tags: ['publish'],
          parameters: [slug, { name: 'purpose', in: 'path', required: true, schema: { enum: ['revocation', 'suspension'] } }, { name: 'seq', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
          responses: { '200': { description: 'The list credential.', content: { 'application/vc+ld+json': { schema: { type: 'object' } } } }, '304': { description: 'Not modified (If-None-Match).' }, '404': problem('Unknown issuer or list.') },
        },
      },
      '/issuers/{slug}/credentials': {
        post: {
          summary: 'Issue from a completion record (idempotent on recordId)',
          tags: ['issue'],
          security: bearer,
          parameters: [slug, ...formatParams],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { oneOf: [ref('CompletionRecord'), { type: 'object', required: ['record'], properties: { record: ref('CompletionRecord'), options: { type: 'object', properties: { format: { enum: ['di', 'jwt'] }, alg: { enum: ['ES256', 'EdDSA'] }, reissue: { type: 'boolean' } } } } }] } } },
          },
          responses: {
            '200': json('Already issued: the stored credential.', ref('CredentialResource')),
            '201': json('Issued.', ref('CredentialResource')),
            ...common,
            ...authErrors,
            '409': problem('The recordId was already issued with different content (send reissue=true to replace it).'),
            '422': problem('Invalid record: every problem is listed in "problems".'),
          },
        },
        get: {
          summary: 'List credentials (by learner, record id, status, date; paged)',
          tags: ['read'],
          security: bearer,
          parameters: [
            slug,
            queryParam('learner', "Learner's student id, email or DID."),
            queryParam('recordId', 'Record id.'),
            queryParam('status', 'Status.', { enum: ['active', 'revoked', 'suspended'] }),
            queryParam('from', 'Created at or after (ISO 8601 date or date-time; UTC when it has no offset).'),
            queryParam('to', 'Created before (ISO 8601).'),
            queryParam('limit', 'Page size (1-500, default 50).', { type: 'integer' }),
            queryParam('cursor', 'From the previous page\'s "next".'),
          ],
          responses: { '200': json('A page.', { type: 'object', properties: { items: { type: 'array', items: ref('CredentialResource') }, next: { type: 'string' } } }), ...common, ...authErrors },
        },
      },
      '/issuers/{slug}/credentials/batch': {
        post: {
          summary: 'Issue many records: a JSON array, {records, options} or JSON Lines; one result per record',
          tags: ['issue'],
          security: bearer,
          parameters: [slug, ...formatParams],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { oneOf: [{ type: 'array', items: { type: 'object' } }, { type: 'object', properties: { records: { type: 'array' }, options: { type: 'object' } } }] } },
              'application/x-ndjson': { schema: { type: 'string', description: 'One record per line.' } },
            },
          },
          responses: {
            '200': json('Per-record results (issued, already-issued, invalid with problems, conflict, error).', { type: 'object', properties: { summary: { type: 'object' }, results: { type: 'array', items: { type: 'object' } } } }),
            ...common,
            ...authErrors,
            '413': problem('More than 1000 records.'),
          },
        },
      },
      '/issuers/{slug}/credentials/{id}': { get: { summary: 'One credential', tags: ['read'], security: bearer, parameters: [slug, credId], responses: { '200': json('The credential.', ref('CredentialResource')), ...common, ...authErrors } } },
      '/issuers/{slug}/credentials/{id}/revoke': statusChange('Revoke (permanent; reason required)', true),
      '/issuers/{slug}/credentials/{id}/suspend': statusChange('Suspend (reversible)', false),
      '/issuers/{slug}/credentials/{id}/unsuspend': statusChange('Lift a suspension', false),
      '/issuers/{slug}/api-keys': {
        post: {
          summary: 'Create an API key for this issuer (token returned once)',
          tags: ['admin'],
          security: bearer,
          parameters: [slug],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['scopes'], properties: { scopes: { type: 'array', items: { enum: ['issue', 'revoke', 'read', 'admin'] } }, label: { type: 'string' } } } } } },
          responses: { '201': json('The key and its token.', { type: 'object' }), ...common, ...authErrors },
        },
      },
      '/issuers/{slug}/api-keys/{keyId}': { delete: { summary: 'Revoke an API key', tags: ['admin'], security: bearer, parameters: [slug, pathParam('keyId', 'API key id (ak_…).')], responses: { '204': { description: 'Revoked.' }, ...common, ...authErrors } } },
      '/issuers/{slug}/keys/rotate': {
        post: {
          summary: 'Add a new active signing key (older keys stay published while needed)',
          tags: ['admin'],
          security: bearer,
          parameters: [slug],
          requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { alg: { enum: ['Ed25519', 'ES256'] } } } } } },
          responses: { '200': json('The key set (public).', { type: 'object' }), ...common, ...authErrors, '422': problem('Rotation not possible (e.g. did:key issuer).') },
        },
      },
      '/issuers/{slug}/audit': { get: { summary: 'Audit log (who, when, what, why)', tags: ['admin'], security: bearer, parameters: [slug, queryParam('target', 'Only entries about this target.'), queryParam('limit', 'Page size (1-1000, default 100).', { type: 'integer' }), queryParam('cursor', 'From the previous page\'s "next".')], responses: { '200': json('{items, next?}: entries, newest first (by time, then id); "next" is the URL of the following page.', { type: 'object' }), ...common, ...authErrors } } },
      '/credentials/issue': {
        post: {
          summary: 'VC-API: sign a credential for the API key\'s issuer (checked against the OB 3.0 schema first)',
          tags: ['vc-api'],
          security: bearer,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['credential'], properties: { credential: { type: 'object' }, options: { type: 'object', properties: { format: { enum: ['di', 'jwt'] }, credentialId: { type: 'string' } } } } } } } },
          responses: { '200': json('Already issued.', { type: 'object' }), '201': json('{verifiableCredential}.', { type: 'object' }), ...common, ...authErrors, '409': problem('Another credential with this id exists.'), '422': problem('Not a valid OB 3.0 credential (problems listed).') },
        },
      },
      '/credentials/verify': {
        post: {
          summary: 'VC-API: verify a credential (JSON or compact JWT)',
          tags: ['vc-api'],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['verifiableCredential'], properties: { verifiableCredential: { oneOf: [{ type: 'object' }, { type: 'string' }] }, options: { type: 'object' } } } } } },
          responses: { '200': json('Valid.', ref('VerificationReport')), '400': problem('Malformed request.'), '422': json('Not valid: the report names the failed checks.', ref('VerificationReport')) },
        },
      },
      '/presentations/verify': {
        post: {
          summary: 'VC-API: verify a presentation and the credentials in it',
          tags: ['vc-api'],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { verifiablePresentation: { type: 'object' }, presentation: { type: 'object' }, options: { type: 'object', properties: { challenge: { type: 'string' }, domain: { type: 'string' } } } } } } } },
          responses: { '200': json('Valid.', { type: 'object' }), '400': problem('Malformed request.'), '422': json('Not valid.', { type: 'object' }) },
        },
      },
      '/credentials/status': {
        post: {
          summary: 'VC-API: set or clear the revocation or suspension status of a credential',
          tags: ['vc-api'],
          security: bearer,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['credentialId', 'credentialStatus'], properties: { credentialId: { type: 'string' }, credentialStatus: { type: 'object' }, status: { type: 'boolean' }, reason: { type: 'string' } } } } } },
          responses: { '200': json('Updated.', { type: 'object' }), ...common, ...authErrors, '409': problem('Revocation cannot be cleared.') },
        },
      },
    },
  };
}
