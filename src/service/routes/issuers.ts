/** Issuers hosted here: the list and each one's profile, DID, documents and status lists (public). */
import { defineRoute, json } from '../http/declare.js';
import type { Router } from '../http/declare.js';
import { issuerDescription, issuerList } from '../resources.js';
import { slug } from './schemas.js';

export const issuers: Router = {
  name: 'issuers',
  routes: [
    defineRoute({
      method: 'get',
      path: '/issuers',
      summary: 'Issuers hosted here',
      tags: ['publish'],
      auth: 'public',
      responses: { 200: json('Issuers.', { type: 'object' }) },
      handler: async (_input, { ctx }) => ({ json: await issuerList(ctx) }),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}',
      summary: 'Issuer profile, DID and status lists',
      tags: ['publish'],
      auth: 'public',
      params: { slug },
      responses: { 200: json('Issuer.', { type: 'object' }) },
      errors: { 404: 'Unknown issuer.' },
      handler: async ({ path }, { ctx }) => ({ json: await issuerDescription(ctx, path.slug) }),
    }),
  ],
};
