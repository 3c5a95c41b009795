/**
 * Check "issuer-key": the keys that made the valid signatures belong to the issuer the credential names.
 * - Several Data Integrity proofs (a proof set or chain): every proof that claims to be the issuer's (its
 *   verification method is under the issuer's identifier or names the issuer as controller) must pass the rule
 *   below, and at least one must; signatures by others (an endorser, a registrar) are not the issuer's and are
 *   only checked for integrity by the proof check.
 * - A verification method (Data Integrity, JWT `kid`): its `controller` must equal `issuer.id`, and the controller's
 *   document (DID document or https controller document) must list it under `assertionMethod`.
 * - A JWT with an embedded `jwk`: the same public key must be published by the issuer, either as an
 *   `assertionMethod` key of its DID/controller document or in its JWK set at
 *   `https://{authority}/.well-known/jwks.json` (OB implementation guide). A self-contained key proves nothing about
 *   who made the token.
 * Trust in the issuer itself (is this really a university?) is the issuer-trust check. The sentences name the issuer
 * by its identifier, which is what the key is proven to belong to, never by the name it gives itself.
 */
import { createPublicKey } from 'node:crypto';
import { didWebUrl, listedAsAssertionMethod, findVerificationMethod } from '../../did/resolve.js';
import { publicKeyFromVerificationMethod, samePublicKey } from '../../did/verification-key.js';
import { fetchedJson } from '../../lib/guarded-fetch.js';
import type { Check, SigningKey, VerifyContext } from '../types.js';
import { isFetchProblem, rootMessage } from './util.js';
import { joinMessages, message, type Message } from '../messages.js';

/** The JWK set URL of an issuer (https URL or did:web), or undefined. */
export function jwksUrl(issuerId: string): string | undefined {
  try {
    if (issuerId.startsWith('did:web:')) return new URL('/.well-known/jwks.json', didWebUrl(issuerId)).href;
    if (issuerId.startsWith('https://')) return new URL('/.well-known/jwks.json', issuerId).href;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Looks for a JWK in the issuer's JWK set. Entries that carry an `iss` member different from the issuer are skipped.
 */
export async function findJwkInIssuerJwks(
  ctx: VerifyContext,
  issuerId: string,
  match: (entry: Record<string, unknown>) => boolean,
): Promise<{ jwk?: Record<string, unknown>; url?: string; fetched: boolean; error?: unknown }> {
  const url = jwksUrl(issuerId);
  if (!url) return { fetched: false };
  try {
    const set = fetchedJson(await ctx.fetch(url, { accept: 'application/jwk-set+json, application/json;q=0.9' })) as { keys?: unknown };
    const keys = Array.isArray(set?.keys) ? (set.keys as Record<string, unknown>[]) : [];
    const jwk = keys.find((k) => k && typeof k === 'object' && (k.iss === undefined || k.iss === issuerId) && match(k));
    return { ...(jwk ? { jwk } : {}), url, fetched: true };
  } catch (e) {
    return { url, fetched: false, error: e };
  }
}

function keyOfJwk(jwk: Record<string, unknown>) {
  const { kid: _kid, alg: _alg, use: _use, key_ops: _ops, iss: _iss, ...rest } = jwk;
  return createPublicKey({ key: rest as never, format: 'jwk' });
}

function result(status: Check['status'], text: string): Check {
  return { id: 'issuer-key', status, message: text };
}

/** A result whose sentences come from the catalogue. */
function said(status: Check['status'], ...messages: Message[]): Check {
  return { id: 'issuer-key', status, message: joinMessages(messages), messages };
}

async function checkVerificationMethod(ctx: VerifyContext, key: SigningKey, issuerId: string): Promise<Check> {
  const vm = key.verificationMethod as Record<string, unknown>;
  const vmId = key.vmId as string;
  const controller = typeof vm.controller === 'string' ? vm.controller : undefined;
  if (controller !== issuerId) {
    return result(
      'fail',
      `The credential was signed with a key that belongs to ${JSON.stringify(controller ?? 'nobody named')}, not to its issuer ${issuerId}, so it may not come from that issuer.`,
    );
  }
  let doc = key.controllerDocument && key.controllerDocument.id === controller ? key.controllerDocument : undefined;
  if (!doc) {
    try {
      doc = (await ctx.resolve(controller)) as Record<string, unknown> | undefined;
    } catch (e) {
      return result(
        isFetchProblem(e) ? 'unknown' : 'fail',
        `The issuer's key list (${controller}) could not be obtained, so it is not confirmed that the signing key is theirs: ${rootMessage(e)}`,
      );
    }
  }
  if (!doc) return result('fail', `The issuer's identifier ${controller} cannot be looked up, so the signing key cannot be confirmed as theirs.`);
  if (!listedAsAssertionMethod(doc, vmId)) {
    return said('fail', message('verify.issuerKey.notListed', { issuer: issuerId, key: vmId }));
  }
  if (controller.startsWith('did:key:')) {
    // A did:key is its own key: there is no published list to consult, and saying so would mislead.
    return said('pass', message('verify.issuerKey.didKey'));
  }
  return said('pass', message('verify.issuerKey.listed', { issuer: issuerId }));
}

async function checkEmbeddedJwk(ctx: VerifyContext, key: SigningKey, issuerId: string): Promise<Check> {
  let signing;
  try {
    signing = keyOfJwk(key.jwk as Record<string, unknown>);
  } catch (e) {
    return result('fail', `The key in the token cannot be read: ${(e as Error).message}.`);
  }
  const problems: string[] = [];
  let sawKeys = false;
  // 1. The issuer's DID / controller document.
  try {
    const doc = (await ctx.resolve(issuerId)) as Record<string, unknown> | undefined;
    if (doc) {
      sawKeys = true;
      const listed = Array.isArray(doc.assertionMethod) ? doc.assertionMethod : doc.assertionMethod ? [doc.assertionMethod] : [];
      for (const entry of listed) {
        const id = typeof entry === 'string' ? entry : (entry as { id?: string })?.id;
        if (!id) continue;
        const vm = findVerificationMethod(doc, id.startsWith('#') ? issuerId + id : id);
        if (!vm) continue;
        try {
          if (samePublicKey(publicKeyFromVerificationMethod(vm), signing)) {
            return said('pass', message('verify.issuerKey.listed', { issuer: issuerId }));
          }
        } catch {
          // A key we cannot read is simply not this one.
        }
      }
    }
  } catch (e) {
    problems.push(rootMessage(e));
  }
  // 2. The issuer's JWK set.
  const found = await findJwkInIssuerJwks(ctx, issuerId, (entry) => {
    try {
      return samePublicKey(keyOfJwk(entry), signing);
    } catch {
      return false;
    }
  });
  if (found.jwk) return said('pass', message('verify.issuerKey.jwks', { issuer: issuerId, url: found.url as string }));
  if (found.fetched) sawKeys = true;
  if (found.error) problems.push(rootMessage(found.error));
  if (sawKeys) {
    return said('fail', message('verify.issuerKey.notPublished', { issuer: issuerId }));
  }
  return result(
    'unknown',
    `The token carries its own key, and the issuer's published keys could not be obtained to confirm that key is theirs` +
      (problems.length ? ` (${problems.join('; ')}).` : '.'),
  );
}

/** True when a signing key presents itself as the issuer's: its method id is under the issuer's id, or its controller is the issuer. */
function claimsIssuer(key: SigningKey, issuerId: string): boolean {
  const controller = (key.verificationMethod as { controller?: unknown } | undefined)?.controller;
  return controller === issuerId || (typeof key.vmId === 'string' && key.vmId.split('#')[0] === issuerId);
}

const RANK: Record<Check['status'], number> = { fail: 4, unknown: 3, warning: 2, pass: 1, 'not-applicable': 0 };

async function checkOneKey(ctx: VerifyContext, key: SigningKey, issuerId: string): Promise<Check> {
  if (key.source === 'jwks') {
    return said('pass', message('verify.issuerKey.jwksOwn', { issuer: issuerId }));
  }
  if (key.verificationMethod && key.vmId) return checkVerificationMethod(ctx, key, issuerId);
  if (key.jwk) return checkEmbeddedJwk(ctx, key, issuerId);
  return result('fail', 'The signing key could not be identified.');
}

export async function checkIssuerKey(ctx: VerifyContext, keys: SigningKey[] | undefined, proofStatus?: Check['status']): Promise<Check> {
  if (!keys || keys.length === 0) {
    return result(
      'not-applicable',
      proofStatus === 'unknown' ? 'Not checked, because the signature could not be checked.' : 'Not checked, because no valid signature was found.',
    );
  }
  const issuerId = ctx.issuerId;
  if (!issuerId) return result('fail', 'The credential does not name its issuer (issuer.id), so the signing key cannot be matched to anyone.');
  if (ctx.jwt) {
    const iss = ctx.jwt.payload.iss;
    if (iss !== undefined && iss !== issuerId) {
      return result('fail', `The token was issued by ${String(iss)} but the credential names ${issuerId} as its issuer.`);
    }
  }
  if (keys.length === 1) return checkOneKey(ctx, keys[0] as SigningKey, issuerId);
  // A proof set or chain: the issuer's own signatures must all hold; the others are someone else's.
  const claiming = keys.filter((k) => claimsIssuer(k, issuerId));
  if (claiming.length === 0) {
    const owners = [...new Set(keys.map((k) => String((k.verificationMethod as { controller?: unknown } | undefined)?.controller ?? k.vmId ?? 'nobody named')))];
    return result(
      'fail',
      `None of the credential's ${keys.length} signatures was made with a key of its issuer ${issuerId} (they belong to ${owners.join(', ')}), so it may not come from that issuer.`,
    );
  }
  const checks: Check[] = [];
  for (const key of claiming) checks.push(await checkOneKey(ctx, key, issuerId));
  const worst = checks.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
  if (worst.status !== 'pass') return worst;
  const others = keys.filter((k) => !claiming.includes(k));
  const first = checks[0] as Check;
  if (others.length === 0) return first;
  const otherKeys = others.map((k) => String(k.vmId)).join(', ');
  const note =
    others.length === 1
      ? message('verify.issuerKey.otherOne', { keys: otherKeys })
      : message('verify.issuerKey.otherMany', { count: others.length, keys: otherKeys });
  return first.messages ? said('pass', ...first.messages, note) : result('pass', `${first.message} ${note.text}`);
}
