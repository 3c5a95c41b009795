// A thin express adapter over the wallet functions, for tests whose client libraries speak HTTP. Each route passes
// the parsed body, the headers and the path ids, and writes status, headers and JSON body as answered; problems
// become problem+json. (The service's own routes will have this shape.)
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { Request, Response } from 'express';
import type { ServiceContext } from '../src/service/context.js';
import { directRequest, interaction, participate } from '../src/service/exchanges/exchange.js';
import { credential, getAuthorizationServerMetadata, getCredentialIssuerMetadata, getCredentialOffer, nonce, token } from '../src/service/oid4vci/endpoints.js';
import { HttpProblem, problems, sendProblem } from '../src/service/problem.js';
import { issuerDidDocument, issuerJwks, statusListCredential } from '../src/service/publish.js';
import type { WalletResponse } from '../src/service/wallet/response.js';
import { WALLET_PATHS } from '../src/service/wallet/urls.js';
import { MICROCRED_PROFILE_SCHEMA_PATH, microcredProfileSchemaText } from '../src/schema/validate-profile.js';

export interface WalletServer {
  url: string;
  /** Every request the server saw: method, path, content type. */
  seen: { method: string; path: string; contentType?: string }[];
  close(): Promise<void>;
}

export async function startWalletServer(ctx: ServiceContext): Promise<WalletServer> {
  const app = express();
  const seen: WalletServer['seen'] = [];
  app.use((req, _res, next) => {
    seen.push({ method: req.method, path: req.path, ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}) });
    next();
  });
  app.use(express.json({ type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: false }));
  const send = (res: Response, r: WalletResponse): void => {
    res.status(r.status).set(r.headers).send(JSON.stringify(r.body));
  };
  const p = (req: Request, name: string): string => String((req.params as Record<string, string>)[name]);
  const route = (fn: (req: Request) => Promise<WalletResponse>) => async (req: Request, res: Response) => send(res, await fn(req));
  app.get(WALLET_PATHS.interaction, route((req) => interaction(ctx, p(req, 'slug'), p(req, 'secret'))));
  app.post(WALLET_PATHS.exchange, route((req) => participate(ctx, p(req, 'slug'), p(req, 'secret'), req.body)));
  app.post(WALLET_PATHS.direct, route((req) => directRequest(ctx, p(req, 'slug'), p(req, 'secret'), req.body)));
  app.get(WALLET_PATHS.credentialOffer, route((req) => getCredentialOffer(ctx, p(req, 'slug'), p(req, 'secret'))));
  app.post(WALLET_PATHS.token, route((req) => token(ctx, p(req, 'slug'), { body: req.body, headers: req.headers })));
  app.post(WALLET_PATHS.nonce, route((req) => nonce(ctx, p(req, 'slug'))));
  app.post(WALLET_PATHS.credential, route((req) => credential(ctx, p(req, 'slug'), { body: req.body, headers: req.headers })));
  app.get(WALLET_PATHS.credentialIssuerMetadata, route((req) => getCredentialIssuerMetadata(ctx, p(req, 'slug'))));
  app.get(WALLET_PATHS.credentialIssuerMetadataLegacy, route((req) => getCredentialIssuerMetadata(ctx, p(req, 'slug'))));
  app.get(WALLET_PATHS.authorizationServerMetadata, route((req) => getAuthorizationServerMetadata(ctx, p(req, 'slug'))));
  app.get(WALLET_PATHS.authorizationServerMetadataLegacy, route((req) => getAuthorizationServerMetadata(ctx, p(req, 'slug'))));
  // The public documents verifiers fetch (DID documents, JWK sets, status lists), as the service serves them.
  app.get('/issuers/:slug/did.json', async (req, res) => void res.type('application/did+json').send(JSON.stringify(await issuerDidDocument(ctx, p(req, 'slug')))));
  app.get('/issuers/:slug/jwks.json', async (req, res) => void res.type('application/jwk-set+json').send(JSON.stringify(await issuerJwks(ctx, p(req, 'slug')))));
  app.get('/issuers/:slug/status-lists/:purpose/:seq', async (req, res) => {
    const out = await statusListCredential(ctx, p(req, 'slug'), p(req, 'purpose') as 'revocation', Number(p(req, 'seq')));
    res.type('application/vc+ld+json').send(out.body);
  });
  app.get(MICROCRED_PROFILE_SCHEMA_PATH, (_req, res) => void res.type('application/schema+json').send(microcredProfileSchemaText()));
  app.use(() => {
    throw problems.notFound('no such route');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: unknown) => {
    sendProblem(res, err instanceof HttpProblem ? err : problems.internal());
    if (!(err instanceof HttpProblem)) console.error(err);
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fetch that sends `https://credentials.test/…` to the test server (over real HTTP) and refuses anything else. */
export function fetchVia(server: WalletServer, publicUrl: string): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(publicUrl)) throw new TypeError(`no network in tests: ${url}`);
    const target = server.url + url.slice(publicUrl.length);
    return input instanceof Request ? fetch(new Request(target, input), init) : fetch(target, init);
  };
}
