/**
 * Which provider a credential comes from (internal to stacking): matching issuer ids against provider selectors.
 * Only `issuer.id` is used, because the proof and issuer-key checks tie the signature to it; a profile's `url` or
 * `name` is the issuer's own claim. Trust lists are not read here: the caller injects a `TrustCheck`.
 */
import type { ProviderSelector } from './types.js';

/** The trust seam: whether `issuerId` is on the trust list called `trustList`. */
export type TrustCheck = (issuerId: string, trustList: string) => boolean | Promise<boolean>;

/** The host an issuer id names: did:web's host (port dropped) or an http(s) id's host; undefined for did:key and others. */
export function issuerHost(issuerId: string): string | undefined {
  if (issuerId.startsWith('did:web:')) {
    const host = decodeURIComponent(issuerId.slice('did:web:'.length).split(/[:#?/]/)[0] ?? '');
    return host.replace(/:\d+$/, '').toLowerCase() || undefined;
  }
  try {
    const url = new URL(issuerId);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the issuer matches the selector (a domain covers its subdomains). */
export async function matchesProvider(issuerId: string | undefined, selector: ProviderSelector, isTrusted?: TrustCheck): Promise<boolean> {
  if (!issuerId) return false;
  if (selector.did !== undefined) return selector.did === issuerId;
  if (selector.domain !== undefined) {
    const host = issuerHost(issuerId);
    return host !== undefined && (host === selector.domain || host.endsWith(`.${selector.domain}`));
  }
  if (selector.trustList !== undefined) return isTrusted ? (await isTrusted(issuerId, selector.trustList)) === true : false;
  return false;
}

export async function matchesAny(issuerId: string | undefined, selectors: ProviderSelector[], isTrusted?: TrustCheck): Promise<boolean> {
  for (const s of selectors) if (await matchesProvider(issuerId, s, isTrusted)) return true;
  return false;
}

/** How people name a selector. */
export function providerLabel(s: ProviderSelector): string {
  return s.did ?? (s.domain !== undefined ? `the domain ${s.domain}` : `the trust list "${s.trustList}"`);
}
