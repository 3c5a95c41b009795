/**
 * Published documents, public and cacheable: the profile schema, issuers' DID documents and JWK Sets (also the host
 * root issuer's under /.well-known) and the signed status list credentials.
 */
import { MICROCRED_PROFILE_SCHEMA_PATH, microcredProfileSchemaText } from '../../schema/validate-profile.js';
import type { ServiceContext } from '../context.js';
import { defineRoute, empty, text } from '../http/declare.js';
import type { Reply, Router } from '../http/declare.js';
import { enumParam, integerParam } from '../http/inputs.js';
import { problems } from '../problem.js';
import { issuerDidDocument, issuerJwks, statusListCredential } from '../publish.js';
import { rootIssuerSlug } from '../verification.js';
import { slug } from './schemas.js';

// Read once, at the first request.
let profileSchemaText: string | undefined;

// Short: a rotated-in key must reach verifiers soon.
const KEYS_CACHE = 'public, max-age=60';

async function didDocument(ctx: ServiceContext, issuer: string): Promise<Reply> {
  return { type: 'application/did+json', headers: { 'Cache-Control': KEYS_CACHE }, body: JSON.stringify(await issuerDidDocument(ctx, issuer)) };
}

async function jwkSet(ctx: ServiceContext, issuer: string): Promise<Reply> {
  return { type: 'application/jwk-set+json', headers: { 'Cache-Control': KEYS_CACHE }, body: JSON.stringify(await issuerJwks(ctx, issuer)) };
}

async function rootIssuer(ctx: ServiceContext, elsewhere: string): Promise<string> {
  const root = await rootIssuerSlug(ctx);
  if (!root) throw problems.notFound(`No issuer uses this host's root DID; ${elsewhere}.`);
  return root;
}

/** Whether an If-None-Match header names the entity tag (weak comparison, RFC 9110 §13.1.2). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));
}

const didJson = { 'application/did+json': { type: 'object' } };
const jwksJson = { 'application/jwk-set+json': { type: 'object' } };

const purpose = enumParam('path', 'Status purpose.', ['revocation', 'suspension'] as const, (_name, value) =>
  problems.notFound(`Status lists are "revocation" or "suspension"; found ${JSON.stringify(value)}.`),
);
const seq = integerParam('path', 'Number of the list (1, 2, …).', 1, 999_999_999, {
  digits: /^[1-9]\d{0,8}$/,
  refuse: (_name, value) => problems.notFound(`Status list numbers are positive integers; found ${JSON.stringify(value)}.`),
});

export const published: Router = {
  name: 'published',
  routes: [
    // The profile schema that credentials issued here list (microcredProfileSchemaUrl(publicUrl)): the bundled file,
    // byte for byte. Any origin may read it, caches may keep it a day (express adds an ETag and answers
    // If-None-Match with 304).
    defineRoute({
      method: 'get',
      path: MICROCRED_PROFILE_SCHEMA_PATH,
      summary: "microcred's micro-credential profile schema (JSON Schema 2019-09), which credentials issued here list in credentialSchema",
      tags: ['publish'],
      auth: 'public',
      responses: { 200: text('The schema (cacheable for a day; ETag).', 'application/schema+json', { type: 'object' }), 304: empty('Not modified (If-None-Match).') },
      handler: () => ({
        type: 'application/schema+json',
        headers: { 'Cache-Control': 'public, max-age=86400', 'Access-Control-Allow-Origin': '*' },
        body: (profileSchemaText ??= microcredProfileSchemaText()),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/.well-known/did.json',
      summary: "DID document of the issuer whose DID is the host's root did:web",
      tags: ['publish'],
      auth: 'public',
      responses: { 200: { description: 'DID document.', content: didJson } },
      errors: { 404: 'No root issuer.' },
      handler: async (_input, { ctx }) => didDocument(ctx, await rootIssuer(ctx, 'issuer DID documents are at /issuers/{slug}/did.json')),
    }),
    defineRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'JWK Set of the root issuer',
      tags: ['publish'],
      auth: 'public',
      responses: { 200: { description: 'JWK Set.', content: jwksJson } },
      errors: { 404: 'No root issuer.' },
      handler: async (_input, { ctx }) => jwkSet(ctx, await rootIssuer(ctx, 'JWK sets are at /issuers/{slug}/jwks.json')),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/did.json',
      summary: 'Issuer DID document (did:web path form): active keys and keys of still-valid credentials',
      tags: ['publish'],
      auth: 'public',
      params: { slug },
      responses: { 200: { description: 'DID document.', content: didJson } },
      errors: { 404: 'Unknown issuer.' },
      handler: ({ path }, { ctx }) => didDocument(ctx, path.slug),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/jwks.json',
      summary: 'Issuer JWK Set',
      tags: ['publish'],
      auth: 'public',
      params: { slug },
      responses: { 200: { description: 'JWK Set.', content: jwksJson } },
      errors: { 404: 'Unknown issuer.' },
      handler: ({ path }, { ctx }) => jwkSet(ctx, path.slug),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/status-lists/{purpose}/{seq}',
      summary: 'Signed BitstringStatusListCredential (ETag, short max-age)',
      tags: ['publish'],
      auth: 'public',
      params: { slug, purpose, seq },
      responses: { 200: text('The list credential.', 'application/vc+ld+json', { type: 'object' }), 304: empty('Not modified (If-None-Match).') },
      errors: { 404: 'Unknown issuer or list.' },
      handler: async ({ path, headers }, { ctx }) => {
        const list = await statusListCredential(ctx, path.slug, path.purpose, path.seq);
        const cache = { ETag: list.etag, 'Cache-Control': `public, max-age=${ctx.config.statusListMaxAge ?? 60}`, Vary: 'Accept' };
        if (matches(headers['if-none-match'], list.etag)) return { status: 304, headers: cache, empty: true };
        return { type: 'application/vc+ld+json', headers: cache, body: list.body };
      },
    }),
  ],
};
