/**
 * Administration: creating issuers (deployment admin token), API keys, key rotation and the audit log of an issuer
 * (`admin` scope of that issuer, or the deployment admin token).
 */
import { MicrocredError } from '../../errors.js';
import { revokeApiKey, SCOPES } from '../../store/api-keys.js';
import { listAudit, MAX_AUDIT_PAGE } from '../../store/audit.js';
import { createApiKey, createIssuer, rotateIssuerKey } from '../admin.js';
import { defineRoute, empty, json } from '../http/declare.js';
import type { Router } from '../http/declare.js';
import { checkedElsewhere, cursorParam, enumField, integerParam, objectField, textField, textParam } from '../http/inputs.js';
import { problems } from '../problem.js';
import { nextPageUrl } from '../resources.js';
import { slug } from './schemas.js';

/** A core error of an admin operation as the problem it is for the caller. */
async function refusedAs<T>(work: Promise<T>, problem: (e: MicrocredError) => Error): Promise<T> {
  try {
    return await work;
  } catch (e) {
    throw e instanceof MicrocredError ? problem(e) : e;
  }
}

const newIssuer = objectField(
  {
    slug: { schema: { type: 'string', description: 'Lower-case letters, digits and "-".' }, refuse: () => problems.badRequest('slug must be a string (lower-case letters, digits, "-").') },
    profile: checkedElsewhere({ type: 'object', description: 'The awarding body (validated like a profile file; every problem is listed).' }),
    jwtAlg: enumField('JWT algorithm of the new key set (default ES256).', ['ES256', 'EdDSA']),
    root: checkedElsewhere({ type: 'boolean', description: 'Use the host DID did:web:HOST (/.well-known/did.json).' }),
  },
  { required: ['slug', 'profile'] },
);

const scopes = {
  schema: { type: 'array', minItems: 1, items: { enum: [...SCOPES] }, description: 'What the key may do.' },
  refuse: (found: unknown) =>
    Array.isArray(found) && found.every((s) => typeof s === 'string')
      ? problems.badRequest(`scopes must be one or more of ${SCOPES.join(', ')}; found ${JSON.stringify(found)}.`)
      : problems.badRequest(`scopes must be an array of ${SCOPES.join(', ')}; found ${JSON.stringify(found)}.`),
};

const rotation = {
  schema: { enum: ['Ed25519', 'ES256'], description: 'Algorithm of the new key (default Ed25519).' },
  // null, like absence, asks for the default.
  accepts: { enum: ['Ed25519', 'ES256', null] },
  refuse: (found: unknown) => problems.badRequest(`alg must be "Ed25519" or "ES256"; found ${JSON.stringify(found)}.`),
};

export const admin: Router = {
  name: 'admin',
  routes: [
    defineRoute({
      method: 'post',
      path: '/issuers',
      summary: 'Create an issuer (deployment admin token)',
      tags: ['admin'],
      auth: 'deployment-admin',
      body: { required: true, content: { 'application/json': undefined }, fields: newIssuer },
      responses: { 201: json('Created; keys generated, did:web assigned.', { type: 'object' }) },
      errors: { 400: 'Malformed request.', 422: 'Invalid slug or profile.' },
      handler: async ({ body }, { ctx, keysRoot }) => {
        const created = await refusedAs(
          createIssuer(ctx.db, {
            slug: body.slug as string,
            profile: body.profile,
            publicUrl: ctx.publicUrl,
            keysRoot,
            ...(body.jwtAlg ? { jwtAlg: body.jwtAlg as 'ES256' | 'EdDSA' } : {}),
            ...(body.root === true ? { root: true } : {}),
            actor: 'admin-token',
          }),
          (e) => problems.invalid('issuer-invalid', 'Invalid issuer', e.message, Array.isArray(e.details) ? { problems: e.details } : {}),
        );
        return { status: 201, location: `${ctx.publicUrl}/issuers/${created.slug}`, json: { slug: created.slug, did: created.did, profile: created.profile } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/api-keys',
      summary: 'Create an API key for this issuer (token returned once)',
      tags: ['admin'],
      auth: { scope: 'admin', issuer: 'path' },
      params: { slug },
      body: { required: true, content: { 'application/json': undefined }, fields: objectField({ scopes, label: textField('What the key is for.', 200) }, { required: ['scopes'] }) },
      responses: { 201: json('The key and its token.', { type: 'object' }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer.' },
      handler: async ({ path, body, principal }, { ctx }) => {
        const label = body.label as string | undefined;
        const options = { issuer: path.slug, scopes: body.scopes as string[], ...(label !== undefined ? { label } : {}), actor: principal?.actor as string };
        return { status: 201, json: await refusedAs(createApiKey(ctx.db, options), (e) => problems.badRequest(e.message)) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/issuers/{slug}/api-keys/{keyId}',
      summary: 'Revoke an API key',
      tags: ['admin'],
      auth: { scope: 'admin', issuer: 'path' },
      params: { slug, keyId: textParam('path', 'API key id (ak_…).') },
      responses: { 204: empty('Revoked.') },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer or key.' },
      handler: async ({ path }, { ctx }) => {
        if (!(await revokeApiKey(ctx.db, path.slug, path.keyId))) throw problems.notFound(`Issuer ${path.slug} has no active API key ${JSON.stringify(path.keyId)}.`);
        return { status: 204, empty: true };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/keys/rotate',
      summary: 'Add a new active signing key (older keys stay published while needed)',
      tags: ['admin'],
      auth: { scope: 'admin', issuer: 'path' },
      params: { slug },
      body: { required: false, content: { 'application/json': undefined }, fields: objectField({ alg: rotation }) },
      responses: { 200: json('The key set (public).', { type: 'object' }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer.', 422: 'Rotation not possible (e.g. did:key issuer).' },
      handler: async ({ path, body, principal }, { ctx }) => {
        const alg = (body.alg as 'Ed25519' | 'ES256' | undefined) ?? 'Ed25519';
        await refusedAs(rotateIssuerKey(ctx.db, path.slug, alg, principal?.actor), (e) => problems.invalid('unsupported', 'Key rotation not possible', e.message));
        ctx.reload(path.slug);
        const { keys } = await ctx.issuer(path.slug);
        return { json: { controller: keys.controller, keys: keys.keys.map((k) => ({ id: k.id, alg: k.alg, active: k.active, created: k.created })) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/audit',
      summary: 'Audit log (who, when, what, why)',
      tags: ['admin'],
      auth: { scope: 'admin', issuer: 'path' },
      params: { slug },
      query: {
        limit: integerParam('query', `Page size (1-${MAX_AUDIT_PAGE}, default 100).`, 1, MAX_AUDIT_PAGE),
        target: textParam('query', 'Only entries about this target.'),
        cursor: cursorParam('bigint'),
      },
      responses: { 200: json('{items, next?}: entries, newest first (by time, then id); "next" is the URL of the following page.', { type: 'object' }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer.' },
      handler: async ({ path, query, rawQuery }, { ctx }) => {
        const { limit, target, cursor } = query;
        const page = await listAudit(ctx.db, { issuerSlug: path.slug, ...(target !== undefined ? { target } : {}), ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) });
        return { json: { items: page.items, ...(page.next ? { next: nextPageUrl(ctx, `/issuers/${path.slug}/audit`, rawQuery, page.next) } : {}) } };
      },
    }),
  ],
};
