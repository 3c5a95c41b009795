/**
 * VC-API / VCALM exchanges for the Learner Credential Wallet (and other VC-API wallets), as LCW really talks:
 * 1. interaction URL (`GET …/interactions/{secret}?iuv=1`) → `{protocols: {vcapi, OID4VCI}}`;
 * 2. `POST {}` to the exchange → a `verifiablePresentationRequest` for `DIDAuthentication` (did:key) with a fresh,
 *    single-use `challenge` and the deployment's `domain`;
 * 3. `POST {verifiablePresentation}` **to the same URL** (LCW ignores `interact.service`) → the copy bound to the
 *    wallet's DID inside an unsigned presentation, which LCW unpacks (`extractCredentialsFrom`).
 * And LCW's one-step request: the wallet posts a DIDAuth presentation (no wrapper, challenge from the link, no
 * domain) to `vc_request_url` and reads the credential straight from the answer.
 *
 * Failures are thrown as problems and leave the offer open until it is claimed or expires.
 */
import { hashSecret, directChallenge, newSecret } from '../wallet/secrets.js';
import { claimOffer, usableOffer } from '../wallet/copy.js';
import { presentationChallenge, verifyDidAuth } from '../wallet/holder.js';
import type { DidAuthFailure } from '../wallet/holder.js';
import { json } from '../wallet/response.js';
import type { WalletResponse } from '../wallet/response.js';
import { walletUrls } from '../wallet/urls.js';
import { insertNonce, useNonce } from '../../store/offers.js';
import type { ServiceContext } from '../context.js';
import { HttpProblem, problems } from '../problem.js';

/** How long a challenge handed out by `POST {}` can be answered. */
export const CHALLENGE_TTL_SECONDS = 15 * 60;

const VC_CONTEXT_V2 = 'https://www.w3.org/ns/credentials/v2';

function didAuthProblem(code: DidAuthFailure | 'challenge-unknown' | 'challenge-used' | 'challenge-expired', message: string): HttpProblem {
  const titles: Record<string, string> = {
    'presentation-malformed': 'Not a DIDAuth presentation',
    'challenge-missing': 'Wrong challenge',
    'challenge-unknown': 'Wrong challenge',
    'challenge-used': 'Presentation already used',
    'challenge-expired': 'Challenge expired',
    'domain-mismatch': 'Wrong domain',
    'holder-method': 'DID method not accepted',
    'signature-invalid': 'Signature invalid',
    'holder-mismatch': 'Signer is not the holder',
  };
  return new HttpProblem(code === 'challenge-used' ? 409 : 400, code, titles[code] ?? 'Presentation refused', message);
}

/**
 * The VCALM interaction URL: which protocols this offer can be claimed with.
 *
 * @throws HttpProblem 404 `offer-not-found`, 410 `offer-claimed` / `offer-revoked` / `offer-expired`,
 *   409 `credential-revoked` / `credential-suspended`.
 * @example
 * ```ts
 * const { body } = await interaction(ctx, 'northbridge', secret);
 * body.protocols.vcapi; // the exchange URL LCW posts to
 * ```
 */
export async function interaction(ctx: ServiceContext, slug: string, secret: string): Promise<WalletResponse<{ protocols: Record<string, string> }>> {
  await usableOffer(ctx, slug, secret);
  const urls = walletUrls(ctx.publicUrl, slug);
  return json(200, {
    protocols: {
      vcapi: urls.exchange(secret),
      OID4VCI: `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(urls.credentialOffer(secret))}`,
    },
  });
}

/**
 * One step of the VC-API exchange. A body without `verifiablePresentation` (LCW sends `{}`) starts it and gets a
 * DIDAuth request; a body with one finishes it: challenge (issued by this exchange, unused, not expired), domain,
 * signature, and signer = holder are checked, then the offer is claimed and the copy returned inside an unsigned
 * presentation.
 *
 * @throws HttpProblem for the offer (see {@link interaction}) and for the presentation: 400 `presentation-malformed`,
 *   `challenge-unknown`, `challenge-missing`, `challenge-expired`, `domain-mismatch`, `holder-method`,
 *   `signature-invalid`, `holder-mismatch`; 409 `challenge-used` (a replayed presentation).
 * @example
 * ```ts
 * const vpr = await participate(ctx, 'northbridge', secret, {});
 * const vp = await signDidAuth(vpr.body.verifiablePresentationRequest); // the wallet
 * const done = await participate(ctx, 'northbridge', secret, { verifiablePresentation: vp });
 * done.body.verifiablePresentation.verifiableCredential[0]; // bound to the wallet's DID
 * ```
 */
export async function participate(ctx: ServiceContext, slug: string, secret: string, body: unknown): Promise<WalletResponse> {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) throw problems.badRequest('The exchange takes a JSON object: {} to start, {"verifiablePresentation": {...}} to answer.');
  const offer = await usableOffer(ctx, slug, secret);
  const urls = walletUrls(ctx.publicUrl, slug);
  const vp = (body as { verifiablePresentation?: unknown }).verifiablePresentation;
  if (vp === undefined) {
    const challenge = newSecret(24);
    await insertNonce(ctx.db, {
      hash: hashSecret(challenge),
      issuerSlug: slug,
      offerId: offer.id,
      purpose: 'vcapi-challenge',
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000).toISOString(),
    });
    return json(200, {
      verifiablePresentationRequest: {
        query: [{ type: 'DIDAuthentication', acceptedMethods: [{ method: 'key' }], acceptedCryptosuites: [{ cryptosuite: 'eddsa-rdfc-2022' }, { cryptosuite: 'Ed25519Signature2020' }] }],
        challenge,
        domain: urls.domain,
      },
    });
  }
  if (!vp || typeof vp !== 'object' || Array.isArray(vp) || !(vp as { proof?: unknown }).proof) {
    throw didAuthProblem('presentation-malformed', 'verifiablePresentation must be a presentation signed by the wallet (with a proof for DID authentication).');
  }
  const challenge = presentationChallenge(vp);
  if (challenge === undefined) throw didAuthProblem('challenge-missing', 'The presentation carries no challenge: sign it with the challenge of this exchange\'s request.');
  const checked = await verifyDidAuth(ctx, vp, { challenge, domain: urls.domain });
  if (!checked.ok) throw didAuthProblem(checked.code, checked.message);
  const claimed = await claimOffer(ctx, slug, offer.id, {
    holderDid: checked.holder,
    format: 'ldp_vc',
    protocol: 'vcapi',
    async within(tx) {
      const use = await useNonce(tx, hashSecret(challenge), slug, 'vcapi-challenge', offer.id);
      if (!use.ok) {
        throw use.reason === 'used'
          ? didAuthProblem('challenge-used', 'This presentation\'s challenge was already used; a presentation is accepted once. Start the exchange again.')
          : use.reason === 'expired'
            ? didAuthProblem('challenge-expired', `The challenge has expired (a challenge is valid ${CHALLENGE_TTL_SECONDS / 60} minutes); start the exchange again.`)
            : didAuthProblem('challenge-unknown', 'The presentation answers a challenge this exchange did not issue.');
      }
    },
  });
  return json(200, {
    verifiablePresentation: { '@context': [VC_CONTEXT_V2], type: ['VerifiablePresentation'], verifiableCredential: [claimed.credential] },
  });
}

/**
 * LCW's one-step request (`vc_request_url`): the body is the wallet's DIDAuth presentation itself (a
 * `{verifiablePresentation}` wrapper is accepted too), signed for the challenge in the link; LCW asks for no domain,
 * so a domain is checked only when the proof names one. Answers the copy itself, as LCW reads it.
 *
 * @throws HttpProblem as {@link participate}.
 * @example
 * ```ts
 * const { body } = await directRequest(ctx, 'northbridge', secret, vp); // body: the credential
 * ```
 */
export async function directRequest(ctx: ServiceContext, slug: string, secret: string, body: unknown): Promise<WalletResponse> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw problems.badRequest('Send the DIDAuth presentation as the JSON body.');
  const wrapped = (body as { verifiablePresentation?: unknown }).verifiablePresentation;
  const vp = wrapped ?? body;
  const offer = await usableOffer(ctx, slug, secret);
  const urls = walletUrls(ctx.publicUrl, slug);
  const challenge = directChallenge(secret);
  const named = presentationChallenge(vp);
  if (named !== challenge) throw didAuthProblem('challenge-missing', 'The presentation was not signed for the challenge in the request link.');
  const proofDomain = ((): unknown => {
    const p = (vp as { proof?: unknown }).proof;
    return (Array.isArray(p) ? p[0] : p as { domain?: unknown } | undefined)?.domain;
  })();
  const checked = await verifyDidAuth(ctx, vp, { challenge, ...(proofDomain !== undefined ? { domain: urls.domain } : {}) });
  if (!checked.ok) throw didAuthProblem(checked.code, checked.message);
  const claimed = await claimOffer(ctx, slug, offer.id, { holderDid: checked.holder, format: 'ldp_vc', protocol: 'vcapi-direct' });
  return json(200, claimed.credential);
}
