/**
 * The one did:web -> https URL rule (did:web method spec §3.2), shared by the resolver and the key set that tells an
 * operator where to publish its DID document. Kept apart from the resolver so issuing code need not load the fetch.
 */
import { MicrocredError } from '../errors.js';

/**
 * The https URL of a did:web DID document.
 *
 * @example
 * ```ts
 * didWebUrl('did:web:example.com');            // 'https://example.com/.well-known/did.json'
 * didWebUrl('did:web:example.com%3A8443:u:1'); // 'https://example.com:8443/u/1/did.json'
 * ```
 */
export function didWebUrl(did: string): string {
  const m = /^did:web:([^:#?/]+)((?::[^:#?/]+)*)$/.exec(did);
  if (!m) throw new MicrocredError('DID_RESOLUTION_FAILED', `${JSON.stringify(did)} is not a valid did:web.`, { did });
  const host = decodeURIComponent(m[1] as string);
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) {
    throw new MicrocredError('DID_RESOLUTION_FAILED', `The host of ${did} (${JSON.stringify(host)}) is not a host name.`, { did });
  }
  const path = (m[2] as string)
    .split(':')
    .filter(Boolean)
    .map((seg) => encodeURIComponent(decodeURIComponent(seg)));
  return path.length === 0 ? `https://${host}/.well-known/did.json` : `https://${host}/${path.join('/')}/did.json`;
}
