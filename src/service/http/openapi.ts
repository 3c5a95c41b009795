/**
 * The OpenAPI 3.1 description of the service, built from the route declarations (routes/): what each route
 * declares is what is documented, so the document and the served routes cannot drift apart.
 */
import type { AnyRoute, JsonSchema, Param, ResponseDoc, Router } from './declare.js';
import { pathNames } from './pipeline.js';
import { documentedSchema } from './validate.js';
import { problemJson } from '../middleware/problems.js';
import type { ErrorFormat } from '../middleware/problems.js';
import { COMPONENT_SCHEMAS } from '../routes/schemas.js';

type Doc = Record<string, unknown>;

const INFO = {
  title: 'microcred issuance service',
  version: '0.1.0',
  description:
    'Issues Open Badges 3.0 micro-credentials from completion records, publishes issuer DID documents and Bitstring Status Lists, ' +
    'and verifies credentials. Errors are RFC 9457 problem details.',
  license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
};

function responseObject(doc: ResponseDoc): Doc {
  return {
    description: doc.description,
    ...(doc.content ? { content: Object.fromEntries(Object.entries(doc.content).map(([type, schema]) => [type, { schema }])) } : {}),
    ...(doc.headers ? { headers: doc.headers } : {}),
  };
}

/** What the route's authentication adds: security, a sentence, and its error answers. */
function authParts(route: AnyRoute): { security?: unknown[]; note?: string; errors: Record<string, string> } {
  const auth = route.auth;
  if (auth === 'public') return { errors: {} };
  const errors = { 401: 'Missing or unknown API key.', 403: 'The API key lacks the scope or belongs to another issuer.' };
  if (auth === 'deployment-admin') return { security: [{ bearer: [] }], note: 'Needs the deployment admin token.', errors: { ...errors, 403: 'Not the deployment admin token.' } };
  const whose = auth.issuer === 'path' ? ` of this issuer${auth.scope === 'admin' ? ' (or the deployment admin token)' : ''}` : ' (the credential is its issuer\'s)';
  return { security: [{ bearer: [] }], note: `Needs an API key with the "${auth.scope}" scope${whose}.`, errors };
}

function requestBody(route: AnyRoute): Doc | undefined {
  const body = route.body;
  if (!body) return undefined;
  const built = body.fields ? documentedSchema(body.fields) : { type: 'object' };
  const schema = body.alternatives ? { oneOf: [...body.alternatives, built] } : built;
  const content = Object.fromEntries(Object.entries(body.content).map(([type, declared]) => [type, { schema: declared ?? schema }]));
  return { required: body.required, ...(body.description ? { description: body.description } : {}), content };
}

function operation(route: AnyRoute, format: ErrorFormat): Doc {
  const params = route.params ?? {};
  const parameters = [
    ...pathNames(route.path).map((name) => ({ name, in: 'path', required: true, description: params[name]?.description, schema: params[name]?.schema })),
    ...Object.entries((route.query ?? {}) as Record<string, Param>).map(([name, p]) => ({ name, in: 'query', required: false, description: p.description, schema: p.schema })),
  ];
  const auth = authParts(route);
  const errorDoc = (description: string): ResponseDoc => ({ description, content: { [format.mediaType]: format.schema } });
  const responses: Record<string, Doc> = {};
  for (const [status, doc] of Object.entries(route.responses)) responses[status] = responseObject(doc);
  for (const [status, description] of Object.entries({ ...auth.errors, ...route.errors })) responses[status] = responseObject(errorDoc(description));
  const description = [route.description, auth.note].filter(Boolean).join(' ');
  const body = requestBody(route);
  return {
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [...route.tags],
    ...(auth.security ? { security: auth.security } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
  };
}

const built = new WeakMap<readonly Router[], Doc>();

/** The `paths` of the routers' routes. */
/** The CORS preflight every `cors` route's path answers (mountPreflights). */
const PREFLIGHT: Doc = {
  summary: 'CORS preflight (browser wallets on other origins)',
  tags: ['wallet'],
  security: [],
  responses: { 204: { description: 'Any origin; the methods of this path; Authorization, Content-Type and DPoP allowed.' } },
};

function paths(routers: readonly Router[]): Doc {
  let doc = built.get(routers);
  if (!doc) {
    const out: Record<string, Record<string, Doc>> = {};
    for (const router of routers) {
      for (const route of router.routes) {
        const format = route.errorFormat ?? router.errorFormat ?? problemJson;
        (out[route.path] ??= {})[route.method] = operation(route, format);
        if (route.cors) (out[route.path] as Record<string, Doc>).options = PREFLIGHT;
      }
    }
    doc = out;
    built.set(routers, doc);
  }
  return doc;
}

/**
 * The OpenAPI 3.1 document of the given routers (servers = the deployment's public URL).
 *
 * @example
 * ```ts
 * const doc = buildOpenApiDocument(ROUTERS, 'https://credentials.example.ac.uk');
 * ```
 */
export function buildOpenApiDocument(routers: readonly Router[], publicUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: INFO,
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key created with `microcred apikey create` (stored only as a hash).' } },
      schemas: COMPONENT_SCHEMAS as Record<string, JsonSchema>,
    },
    paths: paths(routers),
  };
}
