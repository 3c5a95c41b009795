/**
 * Internal: claiming an offer. The wallet receives a copy of the stored credential bound to the DID it proved
 * (`credentialSubject.id`), with a new id, signed now in the format it asked for, and carrying the original's
 * `credentialStatus` unchanged: the same revocation index (and so the same suspension index), so revoking or
 * suspending the original record reaches every copy. The copy is checked against the OB 3.0 schema and the
 * microcred profile before it is signed, and stored with the offer marked claimed, in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { issueCredential } from '../../issue.js';
import type { JwtAlg } from '../../keyset/keyset.js';
import { validateOpenBadgeSchema } from '../../schema/validate-ob.js';
import { claimsMicrocredProfile, validateMicrocredProfile } from '../../schema/validate-profile.js';
import { getCredential } from '../../store/credentials.js';
import type { CredentialRow } from '../../store/credentials.js';
import type { Queryable } from '../../store/db.js';
import { findOffer, getOffer, insertCopy, setOfferState } from '../../store/offers.js';
import { hashSecret } from './secrets.js';
import type { ClaimProtocol, CopyFormat, CopyRow, OfferRow } from '../../store/offers.js';
import type { LoadedIssuer, ServiceContext } from '../context.js';
import { coreErrorToProblem } from '../issuance.js';
import { HttpProblem } from '../problem.js';

/** Why an offer cannot be claimed (the `code` of the problem). */
export type OfferProblemCode =
  | 'offer-not-found'
  | 'offer-claimed'
  | 'offer-revoked'
  | 'offer-expired'
  | 'credential-revoked'
  | 'credential-suspended';

/**
 * A problem about the offer itself (unknown, used, withdrawn, expired, or its credential no longer valid).
 *
 * @example
 * ```ts
 * throw offerProblem('offer-expired');
 * ```
 */
export function offerProblem(code: OfferProblemCode, detail?: string): HttpProblem {
  switch (code) {
    case 'offer-not-found':
      return new HttpProblem(404, code, 'Offer not found', detail ?? 'There is no claim offer at this address; check the link, or ask the issuer for a new one.');
    case 'offer-claimed':
      return new HttpProblem(410, code, 'Offer already claimed', detail ?? 'This offer has already been used to add the credential to a wallet; each offer works once. Ask the issuer for a new one.');
    case 'offer-revoked':
      return new HttpProblem(410, code, 'Offer withdrawn', detail ?? 'The issuer has withdrawn this offer. Ask the issuer for a new one.');
    case 'offer-expired':
      return new HttpProblem(410, code, 'Offer expired', detail ?? 'This offer has expired. Ask the issuer for a new one.');
    case 'credential-revoked':
      return new HttpProblem(409, code, 'Credential revoked', detail ?? 'The issuer has revoked this credential, so it can no longer be added to a wallet.');
    case 'credential-suspended':
      return new HttpProblem(409, code, 'Credential suspended', detail ?? 'The issuer has suspended this credential; it can be added to a wallet once the suspension is lifted.');
  }
}

/**
 * The problem that keeps an offer from being claimed now, or undefined when it can be.
 *
 * @example
 * ```ts
 * const problem = offerUnusable(offer, original);
 * if (problem) throw problem;
 * ```
 */
export function offerUnusable(offer: OfferRow, original?: Pick<CredentialRow, 'status'>, now: Date = new Date()): HttpProblem | undefined {
  if (offer.state === 'claimed') return offerProblem('offer-claimed');
  if (offer.state === 'revoked') return offerProblem('offer-revoked');
  if (Date.parse(offer.expiresAt) <= now.getTime()) return offerProblem('offer-expired');
  if (original?.status === 'revoked') return offerProblem('credential-revoked');
  if (original?.status === 'suspended') return offerProblem('credential-suspended');
  return undefined;
}

/**
 * The offer behind a secret in a URL, checked usable (not claimed, withdrawn or expired; credential valid).
 *
 * @throws HttpProblem 404 `offer-not-found`, 410 `offer-claimed` / `offer-revoked` / `offer-expired`, 409 for a
 *   revoked or suspended credential.
 * @example
 * ```ts
 * const offer = await usableOffer(ctx, 'northbridge', secret);
 * ```
 */
export async function usableOffer(ctx: ServiceContext, slug: string, secret: string): Promise<OfferRow> {
  await ctx.issuer(slug);
  const offer = await findOffer(ctx.db, 'secret', hashSecret(secret));
  if (!offer || offer.issuerSlug !== slug) throw offerProblem('offer-not-found');
  const original = await getCredential(ctx.db, slug, offer.credentialId);
  const problem = offerUnusable(offer, original);
  if (problem) throw problem;
  return offer;
}

/** The original credential without its proof: the object (DI) or the JWT payload less its registered claims. */
function unsignedOriginal(row: CredentialRow): Record<string, unknown> {
  if (row.format === 'di') {
    const { proof: _proof, ...rest } = JSON.parse(row.credential) as Record<string, unknown>;
    return rest;
  }
  // OB 3.0 VC-JWT: the payload is the credential plus iss/jti/sub/nbf/exp (signJwt adds exactly these).
  const { iss: _iss, jti: _jti, sub: _sub, nbf: _nbf, exp: _exp, iat: _iat, ...credential } = decodeJwt(row.credential) as Record<string, unknown>;
  return credential;
}

/**
 * The unsigned copy of `original` for `holderDid`: new id, subject bound to the holder, status entry shared.
 *
 * @example
 * ```ts
 * const copy = boundCopy(row, 'did:key:z6Mk…'); // copy.credentialSubject.id === 'did:key:z6Mk…'
 * ```
 */
export function boundCopy(original: CredentialRow, holderDid: string): Record<string, unknown> {
  const copy = structuredClone(unsignedOriginal(original));
  copy.id = `urn:uuid:${randomUUID()}`;
  const subject = copy.credentialSubject;
  if (!subject || typeof subject !== 'object' || Array.isArray(subject)) {
    throw new HttpProblem(500, 'copy-invalid', 'Credential cannot be copied', `Credential ${original.id} has no single credentialSubject to bind to the wallet's DID.`);
  }
  copy.credentialSubject = { ...(subject as Record<string, unknown>), id: holderDid };
  // The original's entry, unchanged: the copy is revoked (and, for this service's verifier, suspended) with it.
  copy.credentialStatus = original.statusEntries[0];
  return copy;
}

function checkCopy(copy: Record<string, unknown>): void {
  const problems = [...validateOpenBadgeSchema(copy).errors, ...(claimsMicrocredProfile(copy) ? validateMicrocredProfile(copy).errors : [])];
  if (problems.length > 0) {
    // Not the wallet's fault: the stored credential no longer passes today's schemas.
    throw new HttpProblem(500, 'copy-invalid', 'Credential cannot be copied', `The copy for the wallet fails the Open Badges 3.0 schema or the microcred profile (${problems.length} problem${problems.length === 1 ? '' : 's'}).`, {
      problems,
    });
  }
}

export interface ClaimOptions {
  holderDid: string;
  format: CopyFormat;
  protocol: ClaimProtocol;
  /** jwt_vc_json only: ES256 or EdDSA (default: the key set's default). */
  alg?: JwtAlg;
  /** Runs inside the claiming transaction once the offer is locked and usable (e.g. using a nonce); may throw. */
  within?(tx: Queryable, offer: OfferRow): Promise<void>;
}

export interface ClaimedCopy {
  row: CopyRow;
  /** The signed copy: an object (ldp_vc) or a compact JWS (jwt_vc_json). */
  credential: Record<string, unknown> | string;
}

async function signCopy(ctx: ServiceContext, issuer: LoadedIssuer, copy: Record<string, unknown>, format: CopyFormat, alg?: JwtAlg): Promise<{ signed: Record<string, unknown> | string; keyId: string }> {
  const { keys } = issuer;
  const started = performance.now();
  try {
    if (format === 'ldp_vc') {
      const signed = await issueCredential(copy, { format: 'di', keys, documentLoader: ctx.documentLoader, cryptosuite: ctx.cryptosuite });
      return { signed: signed as Record<string, unknown>, keyId: keys.activeKey('di').id };
    }
    const jwtAlg = alg ?? keys.defaultJwtAlg();
    const signed = await issueCredential(copy, { format: 'jwt', keys, alg: jwtAlg, profile: 'ob-vc-jwt' });
    return { signed, keyId: keys.activeKey('jwt', jwtAlg).id };
  } catch (e) {
    throw coreErrorToProblem(e);
  } finally {
    ctx.metrics.signing.observe({ format: format === 'ldp_vc' ? 'di' : 'jwt' }, (performance.now() - started) / 1000);
  }
}

/**
 * Claims an offer for a holder: locks the offer, checks it and its credential are still usable, runs
 * `options.within`, builds, checks and signs the bound copy, stores it and marks the offer claimed (audit entry
 * `offer.claim`), all in one transaction; a failure anywhere leaves the offer open.
 *
 * @example
 * ```ts
 * const { credential } = await claimOffer(ctx, 'northbridge', offer.id, { holderDid, format: 'ldp_vc', protocol: 'vcapi' });
 * ```
 */
export async function claimOffer(ctx: ServiceContext, slug: string, offerId: string, options: ClaimOptions): Promise<ClaimedCopy> {
  const issuer = await ctx.issuer(slug);
  return ctx.db.transaction(async (tx) => {
    const offer = await getOffer(tx, slug, offerId, true);
    if (!offer) throw offerProblem('offer-not-found');
    const original = await getCredential(tx, slug, offer.credentialId);
    if (!original) throw offerProblem('offer-not-found');
    const problem = offerUnusable(offer, original);
    if (problem) throw problem;
    if (options.within) await options.within(tx, offer);
    const copy = boundCopy(original, options.holderDid);
    checkCopy(copy);
    const { signed, keyId } = await signCopy(ctx, issuer, copy, options.format, options.alg);
    const row = await insertCopy(tx, {
      id: copy.id as string,
      issuerSlug: slug,
      originalId: original.id,
      offerId: offer.id,
      holderDid: options.holderDid,
      format: options.format,
      protocol: options.protocol,
      credential: typeof signed === 'string' ? signed : JSON.stringify(signed),
      keyId,
    });
    await setOfferState(tx, offer, 'claimed', {
      actor: `wallet:${options.protocol}`,
      // The holder's DID is in credential_copies, not here: the audit log holds no personal data.
      details: { credentialId: original.id, copyId: row.id, format: options.format, protocol: options.protocol },
    });
    return { row, credential: signed };
  });
}
