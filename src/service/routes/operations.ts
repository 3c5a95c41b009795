/** Operations: liveness, readiness, Prometheus metrics and the OpenAPI document. */
import { defineRoute, json, text } from '../http/declare.js';
import type { Router } from '../http/declare.js';
import { readiness } from '../resources.js';

export const operations: Router = {
  name: 'operations',
  routes: [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness',
      tags: ['operations'],
      auth: 'public',
      responses: { 200: json('Alive.', { type: 'object' }) },
      handler: () => ({ json: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: database reachable and issuer keys loaded',
      tags: ['operations'],
      auth: 'public',
      responses: { 200: json('Ready.', { type: 'object' }) },
      errors: { 503: 'Not ready.' },
      handler: async (_input, { ctx }) => ({ json: await readiness(ctx) }),
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['operations'],
      auth: 'public',
      responses: { 200: text('Text exposition format 0.0.4.', 'text/plain') },
      handler: (_input, { ctx }) => ({ type: 'text/plain; version=0.0.4; charset=utf-8', body: ctx.metrics.render() }),
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      tags: ['operations'],
      auth: 'public',
      responses: { 200: json('OpenAPI 3.1.', { type: 'object' }) },
      handler: (_input, deps) => ({ json: deps.openApi() }),
    }),
  ],
};
