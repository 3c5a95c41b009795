/**
 * Claim offers of stored credentials: create (every wallet link and its QR code), withdraw, list; what was
 * claimed; and the per-issuer claim settings. An offer is single use, expires (default 30 days), carries one
 * 256-bit secret that only the links hold (the database keeps its hash), and may need an OID4VCI PIN (`tx_code`)
 * that is handed out once, to be sent apart from the links.
 */
import { randomBytes } from 'node:crypto';
import { qrSvg } from '../qr.js';
import { recordAudit } from '../../store/audit.js';
import { getCredential } from '../../store/credentials.js';
import { getClaimSettings, getOffer, insertOffer, listCopies, listOffers, putClaimSettings, setOfferState } from '../../store/offers.js';
import type { ClaimSettings, ClaimProtocol, CopyFormat, MailLanguage, OfferRow } from '../../store/offers.js';
import type { Queryable } from '../../store/db.js';
import type { ServiceContext } from '../context.js';
import { problems } from '../problem.js';
import { offerProblem } from './copy.js';
import { directChallenge, hashPin, hashSecret, newPin, newSecret, preAuthorizedCode } from './secrets.js';
import { walletUrls } from './urls.js';

/** An offer as the issuer sees it (never a secret). */
export interface OfferView {
  id: string;
  credentialId: string;
  /** `expired` is an open offer past its expiry. */
  state: 'open' | 'claimed' | 'revoked' | 'expired';
  expiresAt: string;
  /** True when the OID4VCI route needs a PIN. */
  txCode: boolean;
  createdAt: string;
  createdBy: string;
  claimedAt?: string;
  revokedAt?: string;
  reason?: string;
}

/** Every way into a wallet for one offer. */
export interface OfferLinks {
  /** The claim page (HTML, en/cy): QR codes and buttons for each kind of wallet; the link to give a learner. */
  page: string;
  /** VCALM interaction URL (`…?iuv=1`): LCW 2.2.10+ and VCALM wallets scan it. */
  interaction: string;
  /** The VC-API exchange the interaction URL leads to. */
  exchange: string;
  /** LCW deep links wrapping the exchange (`{credentialRequestOrigin, protocols: {vcapi}}`). */
  lcw: { universal: string; dccrequest: string };
  /** LCW's one-step request: the wallet posts its DIDAuth presentation to `vc_request_url`. */
  direct: { issuer: string; vc_request_url: string; challenge: string; auth_type: 'bearer'; universal: string; dccrequest: string };
  /** OID4VCI 1.0 (pre-authorized code). */
  oid4vci: { credentialOfferUri: string; offer: string };
}

/** SVG QR codes of the links a learner scans. */
export interface OfferQrCodes {
  interaction: string;
  lcw: string;
  direct: string;
  oid4vci: string;
}

export interface CreatedOffer {
  offer: OfferView;
  links: OfferLinks;
  qr: OfferQrCodes;
  /** The PIN for the OID4VCI route, shown this once; send it apart from the links. Absent when none is needed. */
  txCode?: string;
}

export interface CreateOfferOptions {
  /** Who creates it (audit log). */
  actor: string;
  /** Days until the offer expires (1–365; default: the issuer's setting, 30). */
  expiresInDays?: number;
  /** Whether the OID4VCI route needs a PIN (default: the issuer's setting). */
  txCode?: boolean;
  /** For tests: the creation time. */
  now?: Date;
}

/**
 * The issuer's view of an offer row.
 *
 * @example
 * ```ts
 * offerView(row).state; // 'expired' for an open offer past its expiry
 * ```
 */
export function offerView(o: OfferRow, now: Date = new Date()): OfferView {
  const expired = o.state === 'open' && Date.parse(o.expiresAt) <= now.getTime();
  return {
    id: o.id,
    credentialId: o.credentialId,
    state: expired ? 'expired' : o.state,
    expiresAt: o.expiresAt,
    txCode: o.txCodeHash !== undefined,
    createdAt: o.createdAt,
    createdBy: o.createdBy,
    ...(o.claimedAt ? { claimedAt: o.claimedAt } : {}),
    ...(o.revokedAt ? { revokedAt: o.revokedAt } : {}),
    ...(o.revokedReason ? { reason: o.revokedReason } : {}),
  };
}

/**
 * The links of an offer secret. The OID4VCI offer is passed by reference (`credential_offer_uri`), which keeps the QR
 * code small and lets the offer say at claim time whether it is still valid.
 *
 * @example
 * ```ts
 * offerLinks(ctx.publicUrl, 'northbridge', issuerDid, secret).interaction; // 'https://…/issuers/northbridge/interactions/…?iuv=1'
 * ```
 */
export function offerLinks(publicUrl: string, slug: string, issuerDid: string, secret: string): OfferLinks {
  const urls = walletUrls(publicUrl, slug);
  const exchange = urls.exchange(secret);
  const request = encodeURIComponent(JSON.stringify({ credentialRequestOrigin: new URL(publicUrl).origin, protocols: { vcapi: exchange } }));
  const direct = { issuer: issuerDid, vc_request_url: urls.direct(secret), challenge: directChallenge(secret), auth_type: 'bearer' as const };
  const directQuery = new URLSearchParams(direct).toString();
  const credentialOfferUri = urls.credentialOffer(secret);
  return {
    page: urls.claimPage(secret),
    interaction: urls.interaction(secret),
    exchange,
    lcw: { universal: `https://lcw.app/request?request=${request}`, dccrequest: `dccrequest://request?request=${request}` },
    direct: { ...direct, universal: `https://lcw.app/request?${directQuery}`, dccrequest: `dccrequest://request?${directQuery}` },
    oid4vci: { credentialOfferUri, offer: `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(credentialOfferUri)}` },
  };
}


async function qrCodes(links: OfferLinks): Promise<OfferQrCodes> {
  const [interaction, lcw, direct, oid4vci] = await Promise.all([qrSvg(links.interaction), qrSvg(links.lcw.universal), qrSvg(links.direct.dccrequest), qrSvg(links.oid4vci.offer)]);
  return { interaction, lcw, direct, oid4vci } as OfferQrCodes;
}

/** The credential of an offer, checked claimable (exists, not revoked or suspended). */
async function claimableCredential(q: Queryable, slug: string, credentialId: string): Promise<void> {
  const row = await getCredential(q, slug, credentialId);
  if (!row) throw problems.notFound(`Issuer ${slug} has no credential ${JSON.stringify(credentialId)}.`);
  if (row.status === 'revoked') throw offerProblem('credential-revoked', `Credential ${credentialId} is revoked; a revoked credential cannot be offered to a wallet.`);
  if (row.status === 'suspended') throw offerProblem('credential-suspended', `Credential ${credentialId} is suspended; offer it again once the suspension is lifted.`);
}

/**
 * The values of a new offer for a credential, written in the caller's transaction: the secret and PIN exist only
 * in the answer. (The mail worker uses this too, so an e-mail's links live only in that e-mail.)
 *
 * @example
 * ```ts
 * const { row, secret, txCode } = await db.transaction((tx) => newOffer(tx, 'northbridge', id, { actor: 'cli' }, settings));
 * ```
 */
export async function newOffer(
  q: Queryable,
  slug: string,
  credentialId: string,
  options: CreateOfferOptions,
  settings: ClaimSettings,
): Promise<{ row: OfferRow; secret: string; txCode?: string }> {
  const days = options.expiresInDays ?? settings.offerTtlDays;
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw problems.badRequest(`expiresInDays must be a whole number of days from 1 to 365; found ${JSON.stringify(options.expiresInDays)}.`, {
      problems: [{ path: '$.expiresInDays', expected: 'an integer from 1 to 365', found: JSON.stringify(options.expiresInDays) }],
    });
  }
  const wantPin = options.txCode ?? settings.txCodeLength !== undefined;
  const pinLength = settings.txCodeLength ?? 6;
  await claimableCredential(q, slug, credentialId);
  const now = options.now ?? new Date();
  const id = `offer_${randomBytes(12).toString('base64url')}`;
  const secret = newSecret();
  const txCode = wantPin ? newPin(pinLength) : undefined;
  const row = await insertOffer(q, {
    id,
    issuerSlug: slug,
    credentialId,
    secretHash: hashSecret(secret),
    codeHash: hashSecret(preAuthorizedCode(secret)),
    ...(txCode ? { txCodeHash: hashPin(id, txCode), txCodeLength: pinLength } : {}),
    expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString(),
    createdBy: options.actor,
  });
  return { row, secret, ...(txCode ? { txCode } : {}) };
}

/**
 * Creates a claim offer for a stored credential and returns every link with its QR code (and the PIN, once, when
 * the OID4VCI route needs one). Audit entry `offer.create`.
 *
 * @throws HttpProblem 404 unknown issuer or credential; 409 `credential-revoked` / `credential-suspended`;
 *   400 for an `expiresInDays` out of range.
 * @example
 * ```ts
 * const { links, qr, txCode } = await createOffer(ctx, 'northbridge', 'urn:uuid:…', { actor: 'api-key:ak_1' });
 * links.interaction;    // for LCW 2.2.10+ (scan)
 * links.oid4vci.offer;  // openid-credential-offer://?credential_offer_uri=…
 * ```
 */
export async function createOffer(ctx: ServiceContext, slug: string, credentialId: string, options: CreateOfferOptions): Promise<CreatedOffer> {
  const { keys } = await ctx.issuer(slug);
  const settings = await getClaimSettings(ctx.db, slug);
  const made = await ctx.db.transaction((tx) => newOffer(tx, slug, credentialId, options, settings));
  const links = offerLinks(ctx.publicUrl, slug, keys.controller, made.secret);
  return { offer: offerView(made.row), links, qr: await qrCodes(links), ...(made.txCode ? { txCode: made.txCode } : {}) };
}

/**
 * Withdraws an open offer (audit entry `offer.revoke` with the reason). Withdrawing twice is harmless; a claimed
 * offer cannot be withdrawn (revoke the credential instead: that reaches the copy).
 *
 * @example
 * ```ts
 * await revokeOffer(ctx, 'northbridge', 'offer_…', { actor: 'api-key:ak_1', reason: 'sent to an old address' });
 * ```
 */
export async function revokeOffer(ctx: ServiceContext, slug: string, offerId: string, options: { actor: string; reason?: string }): Promise<OfferView> {
  await ctx.issuer(slug);
  if (options.reason !== undefined && (typeof options.reason !== 'string' || options.reason.length > 500)) {
    throw problems.badRequest('reason must be a string of at most 500 characters.');
  }
  return ctx.db.transaction(async (tx) => {
    const offer = await getOffer(tx, slug, offerId, true);
    if (!offer) throw problems.notFound(`Issuer ${slug} has no offer ${JSON.stringify(offerId)}.`);
    if (offer.state === 'claimed') {
      throw problems.conflict(`Offer ${offerId} was already claimed; revoke credential ${offer.credentialId} to invalidate the copy in the wallet.`);
    }
    if (offer.state === 'open') await setOfferState(tx, offer, 'revoked', { actor: options.actor, ...(options.reason ? { reason: options.reason } : {}) });
    return offerView((await getOffer(tx, slug, offerId)) as OfferRow);
  });
}

/**
 * The offers of a credential, oldest first.
 *
 * @example
 * ```ts
 * const offers = await offersOf(ctx, 'northbridge', credentialId); // [{ id, state: 'claimed', … }]
 * ```
 */
export async function offersOf(ctx: ServiceContext, slug: string, credentialId: string): Promise<OfferView[]> {
  await ctx.issuer(slug);
  if (!(await getCredential(ctx.db, slug, credentialId))) throw problems.notFound(`Issuer ${slug} has no credential ${JSON.stringify(credentialId)}.`);
  return (await listOffers(ctx.db, slug, credentialId)).map((o) => offerView(o));
}

/** A wallet copy as the issuer sees it. */
export interface ClaimView {
  /** The copy's credential id. */
  id: string;
  offerId: string;
  holder: string;
  format: CopyFormat;
  protocol: ClaimProtocol;
  claimedAt: string;
}

/**
 * What was claimed from a credential: which DID holds a copy, in which format, over which protocol, since when.
 *
 * @example
 * ```ts
 * const claims = await claimsOf(ctx, 'northbridge', credentialId); // [{ holder: 'did:key:z6Mk…', format: 'ldp_vc', … }]
 * ```
 */
export async function claimsOf(ctx: ServiceContext, slug: string, credentialId: string): Promise<ClaimView[]> {
  await ctx.issuer(slug);
  if (!(await getCredential(ctx.db, slug, credentialId))) throw problems.notFound(`Issuer ${slug} has no credential ${JSON.stringify(credentialId)}.`);
  return (await listCopies(ctx.db, slug, credentialId)).map((c) => ({
    id: c.id,
    offerId: c.offerId,
    holder: c.holderDid,
    format: c.format,
    protocol: c.protocol,
    claimedAt: c.createdAt,
  }));
}

/**
 * An issuer's claim settings (defaults when never set).
 *
 * @example
 * ```ts
 * const settings = await claimSettings(ctx, 'northbridge'); // { offerTtlDays: 30, txCodeMaxAttempts: 5, mailLanguages: ['en'] }
 * ```
 */
export async function claimSettings(ctx: ServiceContext, slug: string): Promise<ClaimSettings> {
  await ctx.issuer(slug);
  return getClaimSettings(ctx.db, slug);
}

const MAILBOX_RE = /^(?:[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+|[^<>\r\n]{0,200}<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>)$/;

/**
 * Changes an issuer's claim settings (fields not given keep their value; `null` clears an optional one).
 * Every problem is reported with its path. Audit entry `claim-settings.update`.
 *
 * @example
 * ```ts
 * await updateClaimSettings(ctx, 'northbridge', { txCodeLength: 6, mailFrom: 'Registry <registry@northbridge.ac.uk>', mailLanguages: ['cy', 'en'] }, 'api-key:ak_1');
 * ```
 */
export async function updateClaimSettings(ctx: ServiceContext, slug: string, input: unknown, actor: string): Promise<ClaimSettings> {
  await ctx.issuer(slug);
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw problems.badRequest('The claim settings must be a JSON object.');
  const body = input as Record<string, unknown>;
  const current = await getClaimSettings(ctx.db, slug);
  const next: ClaimSettings = { ...current };
  const found: { path: string; expected: string; found: string }[] = [];
  const int = (name: string, min: number, max: number, nullable: boolean): number | null | undefined => {
    const v = body[name];
    if (v === undefined) return undefined;
    if (v === null && nullable) return null;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    found.push({ path: `$.${name}`, expected: `an integer from ${min} to ${max}${nullable ? ' or null' : ''}`, found: JSON.stringify(v) });
    return undefined;
  };
  const ttl = int('offerTtlDays', 1, 365, false);
  if (typeof ttl === 'number') next.offerTtlDays = ttl;
  const len = int('txCodeLength', 4, 12, true);
  if (len === null) delete next.txCodeLength;
  else if (typeof len === 'number') next.txCodeLength = len;
  const max = int('txCodeMaxAttempts', 1, 20, false);
  if (typeof max === 'number') next.txCodeMaxAttempts = max;
  if (body.mailFrom === null) delete next.mailFrom;
  else if (body.mailFrom !== undefined) {
    if (typeof body.mailFrom === 'string' && MAILBOX_RE.test(body.mailFrom.trim())) next.mailFrom = body.mailFrom.trim();
    else found.push({ path: '$.mailFrom', expected: 'an address, e.g. "registry@uni.ac.uk" or "Registry <registry@uni.ac.uk>"', found: JSON.stringify(body.mailFrom) });
  }
  if (body.mailLanguages !== undefined) {
    const langs = body.mailLanguages;
    if (Array.isArray(langs) && langs.length >= 1 && langs.every((l) => l === 'en' || l === 'cy') && new Set(langs).size === langs.length) {
      next.mailLanguages = langs as MailLanguage[];
    } else found.push({ path: '$.mailLanguages', expected: 'a list of "en" and/or "cy", each once', found: JSON.stringify(langs) });
  }
  for (const key of Object.keys(body)) {
    if (!['offerTtlDays', 'txCodeLength', 'txCodeMaxAttempts', 'mailFrom', 'mailLanguages'].includes(key)) {
      found.push({ path: `$.${key}`, expected: 'one of offerTtlDays, txCodeLength, txCodeMaxAttempts, mailFrom, mailLanguages', found: 'an unknown setting' });
    }
  }
  if (found.length > 0) {
    throw problems.invalid('claim-settings-invalid', 'Invalid claim settings', `The claim settings have ${found.length} problem${found.length === 1 ? '' : 's'}; see "problems".`, {
      problems: found.map((p) => ({ ...p, message: `${p.path}: expected ${p.expected}, found ${p.found}` })),
    });
  }
  await ctx.db.transaction(async (tx) => {
    await putClaimSettings(tx, next);
    await recordAudit(tx, { actor, issuerSlug: slug, action: 'claim-settings.update', target: slug, details: { changed: Object.keys(body) } });
  });
  return next;
}
