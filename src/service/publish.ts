/**
 * Internal: the public documents of each issuer: DID document, JWK Set and the signed
 * BitstringStatusListCredentials (revocation and suspension), with ETags.
 */
import { createHash } from 'node:crypto';
import { didWebDocument, jwks } from '../did/web-document.js';
import type { ControllerDocument, PublicJwkWithKid } from '../did/web-document.js';
import { issueCredential } from '../issue.js';
import type { KeyEntry, PublicJwk } from '../keyset/keyset.js';
import { encodeStatusList } from '../status/bitstring.js';
import { listPublishedIssuerKeys } from '../store/issuers.js';
import { getStatusBits } from '../store/status-lists.js';
import type { StatusPurpose } from '../store/status-lists.js';
import type { ServiceContext } from './context.js';
import { defaultCryptosuite, sha256Hex } from './issuance.js';
import { problems } from './problem.js';

export interface Published {
  body: string;
  etag: string;
}

function etagOf(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  // Weak: processes sign the same bits at different moments, so equal tags mean equal status, not equal bytes.
  return `W/"${h.digest('base64url').slice(0, 27)}"`;
}

/** The keys to publish (active, or still needed by a credential that is not revoked), as key set entries. */
async function publishedKeys(ctx: ServiceContext, slug: string): Promise<KeyEntry[]> {
  return (await listPublishedIssuerKeys(ctx.db, slug)).map((k) => ({
      id: k.keyId,
      type: 'Multikey',
      alg: k.alg,
      publicKeyMultibase: k.publicKeyMultibase,
      publicKeyJwk: k.publicKeyJwk as unknown as PublicJwk,
      created: k.createdAt,
      active: k.active,
      privateKeyFile: k.privateKeyFile,
    }));
}

/**
 * The issuer's DID document: every active key plus every key that signed a credential that is not revoked, as
 * `Multikey` verification and assertion methods (`didWebDocument` over the keys still needed).
 *
 * @example
 * ```ts
 * res.type('application/did+json').send(JSON.stringify(await issuerDidDocument(ctx, 'northbridge')));
 * ```
 */
export async function issuerDidDocument(ctx: ServiceContext, slug: string): Promise<ControllerDocument> {
  const { keys } = await ctx.issuer(slug);
  return didWebDocument({ controller: keys.controller, keys: await publishedKeys(ctx, slug) });
}

/**
 * The issuer's JWK Set (same keys as the DID document; `kid` = verification method id).
 *
 * @example
 * ```ts
 * const { keys } = await issuerJwks(ctx, 'northbridge'); // [{ kty, crv, x, kid, alg, use }]
 * ```
 */
export async function issuerJwks(ctx: ServiceContext, slug: string): Promise<{ keys: PublicJwkWithKid[] }> {
  await ctx.issuer(slug);
  return jwks({ keys: await publishedKeys(ctx, slug) });
}

/**
 * The signed BitstringStatusListCredential of one list and purpose, signed with the issuer's default Data Integrity
 * suite (so a P-256 did:key issuer's lists are ecdsa-rdfc-2019). Signing is cached per process by the content
 * (bitstring + signing key): a GET re-signs only after a status change or key rotation.
 *
 * @example
 * ```ts
 * const { body, etag } = await statusListCredential(ctx, 'northbridge', 'revocation', 1);
 * ```
 */
export async function statusListCredential(ctx: ServiceContext, slug: string, purpose: StatusPurpose, seq: number): Promise<Published> {
  const { keys } = await ctx.issuer(slug);
  const url = ctx.statusListUrl(slug, purpose, seq);
  // Signed with the issuer's own default suite: eddsa-rdfc-2022, or ecdsa-rdfc-2019 for a P-256 did:key issuer.
  const suite = defaultCryptosuite(keys);
  const keyId = keys.dataIntegrityKey(suite).id;
  const cacheKey = `${slug}/${purpose}/${seq}`;
  const cached = cache.get(ctx)?.get(cacheKey);
  const reusable = cached && cached.keyId === keyId && cached.url === url ? cached : undefined;
  // The database sends the bitstring only when it differs from the one the cached credential was signed over.
  const state = await getStatusBits(ctx.db, slug, seq, purpose, reusable?.digest);
  if (!state) throw problems.notFound(`Issuer ${slug} has no status list ${seq}.`);
  if (reusable && state.bits === undefined) return reusable.published;
  const bits = state.bits ?? (await getStatusBits(ctx.db, slug, seq, purpose))?.bits;
  if (!bits) throw problems.notFound(`Issuer ${slug} has no status list ${seq}.`);
  const etag = etagOf(bits, keyId, url);
  if (cached && cached.published.etag === etag) return cached.published;
  const maxAge = ctx.config.statusListMaxAge ?? 60;
  const unsigned = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: keys.controller,
    validFrom: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: purpose,
      encodedList: await encodeStatusList(bits),
      ttl: maxAge * 1000,
    },
  };
  const signed = await issueCredential(unsigned, {
    format: 'di',
    keys,
    documentLoader: ctx.documentLoader,
    cryptosuite: suite === 'eddsa-rdfc-2022' ? ctx.cryptosuite : suite,
  });
  const out = { body: JSON.stringify(signed), etag };
  let perCtx = cache.get(ctx);
  if (!perCtx) {
    perCtx = new Map();
    cache.set(ctx, perCtx);
  }
  perCtx.set(cacheKey, { published: out, digest: sha256Hex(bits), keyId, url });
  return out;
}

/** Signed list credentials per context, with what they were signed over (bitstring digest, key, URL). */
const cache = new WeakMap<ServiceContext, Map<string, { published: Published; digest: string; keyId: string; url: string }>>();
