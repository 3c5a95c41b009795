/**
 * Check "status": has the issuer revoked or suspended the credential?
 * - `BitstringStatusListEntry` (W3C Bitstring Status List v1.0, revocation and suspension), following the
 *   specification's validate algorithm (§3.2) and naming its errors in the check's `code`: the list credential is
 *   fetched through the guarded fetch (STATUS_RETRIEVAL_ERROR), verified like any credential: its own proof, issuer
 *   key, validity (STATUS_VERIFICATION_ERROR); its `statusPurpose` must include the entry's
 *   (STATUS_VERIFICATION_ERROR); the list must hold at least 131,072 entries of `statusSize` bits
 *   (STATUS_LIST_LENGTH_ERROR); the index must be inside it (RANGE_ERROR); malformed values are
 *   MALFORMED_VALUE_ERROR. Then the entry's bit(s) are read (`statusListIndex` as a string, or as a number as one
 *   1EdTech sample has it). The algorithm has no step comparing the list's own `id` with the URL it was fetched
 *   from: a difference is reported as a warning, and a set bit is reported as revoked or suspended whatever the id.
 * - `StatusList2021Entry` (the older form): the same, with the un-prefixed `encodedList`.
 * - `1EdTechRevocationList`: the list at `credentialStatus.id` names revoked credentials (`revokedCredentials`, or
 *   `revokedCredential` as the 1EdTech validator reads it).
 * A list that cannot be fetched gives "unknown", never "valid": the report then says the credential is not verified.
 * Other status types get a warning that microcred cannot check them. A credential that cannot be revoked (no
 * `credentialStatus`, or none of its entries for revocation) gets a warning saying so: an employer should know
 * that a credential the issuer withdrew would still look valid.
 */
import { decodeStatusList, MIN_LIST_BITS } from '../../status/bitstring.js';
import { fetchedJson, type FetchedDocument } from '../../lib/guarded-fetch.js';
import type { Check, CheckStatus, VerificationReport, VerifyContext } from '../types.js';
import { message } from '../messages.js';
import { isFetchProblem, rootMessage } from './util.js';

export type VerifyListCredential = (input: string | Record<string, unknown>) => Promise<VerificationReport>;

type EntryResult = { status: CheckStatus; message: string; code?: string };

/** Error names of Bitstring Status List v1.0 §3.5 and VC Data Model 2.0 §7.1 that the checks below raise. */
const RETRIEVAL = 'STATUS_RETRIEVAL_ERROR';
const VERIFICATION = 'STATUS_VERIFICATION_ERROR';
const LENGTH = 'STATUS_LIST_LENGTH_ERROR';
const RANGE = 'RANGE_ERROR';
const MALFORMED = 'MALFORMED_VALUE_ERROR';

const LIST_ACCEPT = 'application/vc+ld+json, application/vc, application/ld+json;q=0.9, application/json;q=0.8, application/vc+jwt;q=0.7';

function describePurpose(purpose: string): string {
  return purpose === 'revocation' ? 'revocation' : purpose === 'suspension' ? 'suspension' : `"${purpose}" status`;
}

/**
 * Fetched status lists per fetch function (so injected test fetches never share entries), kept for
 * `statusListCacheMs` (default 60 s): a verifier checking many credentials against one list fetches it once, which
 * is also what the Bitstring Status List spec recommends for privacy. Only successful fetches are kept.
 */
const listCache = new WeakMap<object, Map<string, { expires: number; body: Promise<FetchedDocument> }>>();

function cachedFetch(ctx: VerifyContext, url: string): Promise<FetchedDocument> {
  const ttl = ctx.options.statusListCacheMs ?? 60_000;
  if (ttl <= 0) return ctx.fetch(url, { accept: LIST_ACCEPT });
  let cache = listCache.get(ctx.fetch);
  if (!cache) listCache.set(ctx.fetch, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(url);
  if (hit && hit.expires > now) return hit.body;
  const body = ctx.fetch(url, { accept: LIST_ACCEPT });
  cache.set(url, { expires: now + ttl, body });
  body.catch(() => cache.delete(url));
  return body;
}

/**
 * Decoded lists by their exact encodedList text (a few recent ones): a verifier checking many credentials against
 * one unchanged list gunzips it once. Decoding is a pure function of the text, so this changes no verdict; a changed
 * list is a different text and is decoded afresh. Failures are not kept; large lists are not kept.
 */
// By format (legacy or not), then by the text itself: no joined key, so an unchanged list's text (the same string
// each time it comes from a cached report) is looked up without building and hashing a new string.
const decodedLists = { legacy: new Map<string, Promise<Uint8Array>>(), bitstring: new Map<string, Promise<Uint8Array>>() };
const DECODED_MAX_ENTRIES = 16;
const DECODED_MAX_TEXT = 64 * 1024;

function decodeListCached(encoded: string, legacy: boolean): Promise<Uint8Array> {
  // Any length is decoded here; the caller applies the minimum (STATUS_LIST_LENGTH_ERROR), which depends on statusSize.
  if (encoded.length > DECODED_MAX_TEXT) return decodeStatusList(encoded, { legacy, minBits: 0 });
  const lists = legacy ? decodedLists.legacy : decodedLists.bitstring;
  const hit = lists.get(encoded);
  if (hit) return hit;
  if (lists.size >= DECODED_MAX_ENTRIES) lists.delete(lists.keys().next().value as string);
  const bits = decodeStatusList(encoded, { legacy, minBits: 0 });
  lists.set(encoded, bits);
  bits.catch(() => lists.delete(encoded));
  return bits;
}

/**
 * Status list credentials that verified, by their exact text, per fetch function (a few recent ones), each for
 * `statusListProofCacheMs` (default 60 s) and never past its own `validUntil`: a verifier checking many credentials
 * against one unchanged list checks its proof once. A changed list (a revocation) is a different text and is
 * verified afresh, so no verdict changes; only a verification with the same resolver, loader and cryptosuite reuses
 * it; lists that failed, and verification at another time (`now`), are not kept.
 */
/** The checks of a status list credential that decide whether it is trusted. */
const LIST_TRUST_CHECKS = ['parse', 'context', 'proof', 'issuer-key', 'validity'];
const verifiedLists = new WeakMap<object, Map<string, { expires: number; report: VerificationReport; with: readonly unknown[] }>>();
const VERIFIED_MAX_ENTRIES = 64;

/** The collaborators a cached list verification was made with: the resolver (keys), the loader (contexts), the cryptosuite. */
function listCollaborators(ctx: VerifyContext): readonly unknown[] {
  return [ctx.resolve, ctx.documentLoader, ctx.options.cryptosuite];
}

/** The cache of this context's fetch and how long it keeps a verdict; none with caching off or a fixed `now`. */
function listCacheOf(ctx: VerifyContext): { cache: Map<string, { expires: number; report: VerificationReport; with: readonly unknown[] }>; ttl: number } | undefined {
  const ttl = ctx.options.statusListProofCacheMs ?? 60_000;
  if (ttl <= 0 || ctx.options.now !== undefined) return undefined;
  let cache = verifiedLists.get(ctx.fetch);
  if (!cache) verifiedLists.set(ctx.fetch, (cache = new Map()));
  return { cache, ttl };
}

/** The report of a list with exactly this text that verified recently with the same collaborators, if any. */
function cachedListReport(ctx: VerifyContext, text: string): VerificationReport | undefined {
  const hit = listCacheOf(ctx)?.cache.get(text);
  const collaborators = listCollaborators(ctx);
  return hit && hit.expires > Date.now() && hit.with.every((c, i) => c === collaborators[i]) ? hit.report : undefined;
}

/** Keeps the report of a list that verified (see above); one that did not is not kept. */
function rememberListReport(ctx: VerifyContext, text: string, report: VerificationReport): void {
  const kept = listCacheOf(ctx);
  if (!kept) return;
  const trusted = !report.checks.some((c) => LIST_TRUST_CHECKS.includes(c.id) && (c.status === 'fail' || c.status === 'unknown'));
  if (!trusted) return;
  const { cache, ttl } = kept;
  const now = Date.now();
  const validUntil = Date.parse(String((report.credential as { validUntil?: unknown } | undefined)?.validUntil ?? ''));
  if (cache.size >= VERIFIED_MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(text, { expires: Math.min(now + ttl, Number.isNaN(validUntil) ? Infinity : validUntil), report, with: listCollaborators(ctx) });
}

/**
 * The text of a fetched list body, by the very bytes: a fetch that hands out the same body again (the service's own
 * unchanged lists, a caching fetch) is not decoded again. Strings are immutable, so sharing them is safe.
 */
const bodyTexts = new WeakMap<Uint8Array, string>();

function bodyText(fetched: FetchedDocument): string {
  let text = bodyTexts.get(fetched.body);
  if (text === undefined) bodyTexts.set(fetched.body, (text = new TextDecoder().decode(fetched.body).trim()));
  return text;
}

async function fetchListCredential(ctx: VerifyContext, url: string): Promise<{ fetched: FetchedDocument; text: string } | { error: EntryResult }> {
  try {
    const fetched = await cachedFetch(ctx, url);
    return { fetched, text: bodyText(fetched) };
  } catch (e) {
    return { error: retrievalError(e) };
  }
}

function retrievalError(e: unknown): EntryResult {
  return {
    status: isFetchProblem(e) ? 'unknown' : 'fail',
    code: RETRIEVAL,
    message: `The issuer's status list could not be fetched, so it is unknown whether the credential has been revoked or suspended: ${rootMessage(e)}`,
  };
}

/** The fetched list as a JWT (text) or a JSON credential; parsed only when it is to be verified afresh. */
function readListCredential(list: { fetched: FetchedDocument; text: string }, url: string): { doc: string | Record<string, unknown> } | { error: EntryResult } {
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(list.text)) return { doc: list.text };
  let json: unknown;
  try {
    json = fetchedJson(list.fetched);
  } catch (e) {
    return { error: retrievalError(e) };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { error: { status: 'fail', code: RETRIEVAL, message: `The status list at ${url} is not a credential.` } };
  }
  return { doc: json as Record<string, unknown> };
}

async function checkListEntry(
  ctx: VerifyContext,
  entry: Record<string, unknown>,
  legacy: boolean,
  verifyList: VerifyListCredential,
): Promise<EntryResult> {
  const kind = legacy ? 'StatusList2021Entry' : 'BitstringStatusListEntry';
  const purpose = entry.statusPurpose;
  const url = entry.statusListCredential;
  const rawIndex = entry.statusListIndex;
  if (typeof purpose !== 'string' || purpose === '') {
    return { status: 'fail', code: MALFORMED, message: `The credential's status entry (${kind}) has no statusPurpose.` };
  }
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    return {
      status: 'fail',
      code: MALFORMED,
      message: `The credential's status entry (${kind}) has no valid statusListCredential URL; found ${JSON.stringify(url ?? null)}.`,
    };
  }
  const index = typeof rawIndex === 'number' ? rawIndex : typeof rawIndex === 'string' && /^\d+$/.test(rawIndex) ? Number(rawIndex) : NaN;
  if (!Number.isSafeInteger(index) || index < 0) {
    return { status: 'fail', code: MALFORMED, message: `The credential's statusListIndex must be a whole number; found ${JSON.stringify(rawIndex ?? null)}.` };
  }
  const size = entry.statusSize === undefined ? 1 : Number(entry.statusSize);
  if (!Number.isInteger(size) || size < 1 || size > 32) {
    return { status: 'fail', code: MALFORMED, message: `The credential's statusSize must be a whole number from 1; found ${JSON.stringify(entry.statusSize)}.` };
  }
  const fetched = await fetchListCredential(ctx, url);
  if ('error' in fetched) return fetched.error;
  // The same text verified recently: its verdict stands (no parse, no proof check); otherwise read and verify it.
  let report = cachedListReport(ctx, fetched.text);
  if (!report) {
    const read = readListCredential(fetched, url);
    if ('error' in read) return read.error;
    report = await verifyList(read.doc);
    rememberListReport(ctx, fetched.text, report);
  }
  const bad = report.checks.filter((c) => LIST_TRUST_CHECKS.includes(c.id) && (c.status === 'fail' || c.status === 'unknown'));
  if (bad.length > 0) {
    const unknown = bad.every((c) => c.status === 'unknown');
    return {
      status: unknown ? 'unknown' : 'fail',
      code: VERIFICATION,
      message: `The issuer's status list at ${url} could not be trusted, so the ${describePurpose(purpose)} status is not confirmed: ${bad.map((c) => c.message).join(' ')}`,
    };
  }
  const list = report.credential as Record<string, unknown>;
  // Not a step of the validate algorithm: the list was fetched from the URL the signed credential names, and its
  // own signature and issuer key hold. A different self-declared id deserves a word, not a different verdict.
  const idNote =
    list.id !== undefined && list.id !== url
      ? ` Note: the status list fetched from ${url} names itself ${JSON.stringify(list.id)}, not the address the credential points to.`
      : '';
  const subject = (Array.isArray(list.credentialSubject) ? list.credentialSubject[0] : list.credentialSubject) as Record<string, unknown> | undefined;
  const purposes = subject?.statusPurpose;
  const listPurposes = Array.isArray(purposes) ? purposes : [purposes];
  if (!listPurposes.includes(purpose)) {
    return {
      status: 'fail',
      code: VERIFICATION,
      message: `The credential points to a status list for ${JSON.stringify(purposes ?? null)}, but its entry is for ${purpose}; the ${describePurpose(purpose)} status cannot be read from it.`,
    };
  }
  let bits: Uint8Array;
  try {
    // Only read below, never modified: sharing one decoded list between verifications is safe.
    bits = await decodeListCached(String(subject?.encodedList ?? ''), legacy);
  } catch (e) {
    return { status: 'fail', code: MALFORMED, message: `The issuer's status list at ${url} is malformed: ${rootMessage(e)}` };
  }
  const entries = Math.floor((bits.length * 8) / size);
  if (entries < MIN_LIST_BITS) {
    return {
      status: 'fail',
      code: LENGTH,
      message: `The issuer's status list at ${url} has ${entries} entries; at least ${MIN_LIST_BITS} are required, so that one entry says little about which credential it is.`,
    };
  }
  if ((index + 1) * size > bits.length * 8) {
    return { status: 'fail', code: RANGE, message: `The credential's statusListIndex ${index} is beyond the end of the status list (${entries} entries).` };
  }
  let value = 0;
  for (let i = 0; i < size; i++) {
    const bit = index * size + i;
    value = value * 2 + (((bits[bit >> 3] as number) >> (7 - (bit & 7))) & 1);
  }
  if (value === 0) {
    const what = purpose === 'revocation' ? 'has not revoked' : purpose === 'suspension' ? 'has not suspended' : `has not flagged (${purpose})`;
    return { status: idNote ? 'warning' : 'pass', message: `The issuer ${what} this credential (checked against its signed status list).${idNote}` };
  }
  if (purpose === 'revocation') return { status: 'fail', message: `The issuer has revoked this credential: it is no longer valid.${idNote}` };
  if (purpose === 'suspension') {
    return { status: 'fail', message: `The issuer has suspended this credential: it is not valid for now (a suspension can be lifted later).${idNote}` };
  }
  if (purpose === 'refresh') return { status: 'warning', message: `The issuer says a newer version of this credential is available.${idNote}` };
  const messages = Array.isArray(entry.statusMessage) ? (entry.statusMessage as { status?: string; message?: string }[]) : [];
  const hex = '0x' + value.toString(16);
  const text = messages.find((m) => typeof m.status === 'string' && parseInt(m.status, 16) === value)?.message;
  return { status: 'warning', message: `The issuer has set a "${purpose}" status on this credential: ${text ?? hex}.${idNote}` };
}

async function checkRevocationList(ctx: VerifyContext, entry: Record<string, unknown>): Promise<EntryResult> {
  const url = entry.id;
  if (typeof url !== 'string') return { status: 'fail', message: 'The credential\'s 1EdTechRevocationList entry has no URL (id).' };
  let list: unknown;
  try {
    list = fetchedJson(await ctx.fetch(url, { accept: 'application/json' }));
  } catch (e) {
    return {
      status: isFetchProblem(e) ? 'unknown' : 'fail',
      message: `The issuer's revocation list could not be fetched, so it is unknown whether the credential has been revoked: ${rootMessage(e)}`,
    };
  }
  const l = list as { revokedCredentials?: unknown; revokedCredential?: unknown } | null;
  const items = Array.isArray(l?.revokedCredentials) ? l.revokedCredentials : Array.isArray(l?.revokedCredential) ? l.revokedCredential : undefined;
  if (!items) return { status: 'fail', message: `The revocation list at ${url} is malformed: it has no revokedCredentials list.` };
  const hit = (items as { id?: unknown; revoked?: unknown; revocationReason?: unknown }[]).find((i) => i && i.id === ctx.credential.id);
  if (hit && hit.revoked !== false) {
    const reason = typeof hit.revocationReason === 'string' ? ` Reason given: ${hit.revocationReason}` : '';
    return { status: 'fail', message: `The issuer has revoked this credential: it is no longer valid.${reason}` };
  }
  return { status: 'pass', message: 'The issuer has not revoked this credential (it is not on the issuer\'s revocation list).' };
}

const RANK: Record<CheckStatus, number> = { fail: 4, unknown: 3, warning: 2, pass: 1, 'not-applicable': 0 };

const READ_TYPES = new Set(['BitstringStatusListEntry', 'StatusList2021Entry', '1EdTechRevocationList']);

/**
 * An entry through which the issuer may revoke the credential: one for revocation, or one of a type microcred does
 * not read that states no purpose (it may be a revocation method; the check already warns that it is not read).
 */
function mayRevoke(entry: Record<string, unknown>): boolean {
  if (entry.type === '1EdTechRevocationList') return true;
  const purpose = entry.statusPurpose;
  if (purpose === undefined) return !READ_TYPES.has(entry.type as string);
  return purpose === 'revocation' || (Array.isArray(purpose) && purpose.includes('revocation'));
}

export async function checkStatus(ctx: VerifyContext, verifyList: VerifyListCredential): Promise<Check> {
  const raw = ctx.credential.credentialStatus;
  if (raw === undefined) {
    const none = message('verify.status.none');
    return { id: 'status', status: 'warning', message: none.text, messages: [none] };
  }
  if (ctx.options.checkStatus === false) {
    return { id: 'status', status: 'not-applicable', message: 'Revocation and suspension were not checked (turned off).' };
  }
  const entries = (Array.isArray(raw) ? raw : [raw]).filter((e): e is Record<string, unknown> => !!e && typeof e === 'object');
  if (entries.length === 0) return { id: 'status', status: 'fail', code: MALFORMED, message: 'The credential\'s credentialStatus is not an object.' };
  const results: EntryResult[] = [];
  for (const entry of entries) {
    if (entry.type === 'BitstringStatusListEntry') results.push(await checkListEntry(ctx, entry, false, verifyList));
    else if (entry.type === 'StatusList2021Entry') results.push(await checkListEntry(ctx, entry, true, verifyList));
    else if (entry.type === '1EdTechRevocationList') results.push(await checkRevocationList(ctx, entry));
    else {
      results.push({
        status: 'warning',
        message: `The credential's status uses the method ${JSON.stringify(entry.type ?? null)}, which microcred does not support, so revocation was not checked.`,
      });
    }
  }
  const worst = results.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
  let text = results.length === 1 ? worst.message : results.filter((r) => r.status === worst.status).map((r) => r.message).join(' ');
  let status = worst.status;
  if (!entries.some(mayRevoke)) {
    // Suspension (or another purpose) only: what the entries say stands, and that the issuer cannot revoke it too.
    text = `${text} ${message('verify.status.noRevocation').text}`;
    if (RANK[status] < RANK.warning) status = 'warning';
  }
  const details = results.map((r, i) => ({
    path: Array.isArray(raw) ? `credentialStatus[${i}]` : 'credentialStatus',
    status: r.status,
    message: r.message,
    ...(r.code ? { code: r.code } : {}),
  }));
  return { id: 'status', status, message: text, ...(worst.code ? { code: worst.code } : {}), details };
}
