/**
 * The web host an issuer identifier ties its keys to: for `did:web`, the host the did:web method names (where its
 * DID document is fetched from, did:web §3.2); for an https identifier, the URL's host. Host names are compared as
 * the URL parser writes them: lower case, IDNs in punycode, the port only when it is not 443.
 */
import { didWebUrl } from '../did/web-url.js';

/**
 * The host of a did:web or https issuer identifier, or undefined for anything else (did:key, other DID methods,
 * plain http, malformed identifiers).
 *
 * @example
 * ```ts
 * issuerHost('did:web:credentials.example.ac.uk:issuers:1'); // 'credentials.example.ac.uk'
 * issuerHost('did:web:example.com%3A8443');                  // 'example.com:8443'
 * issuerHost('https://Issuer.Example/profile');             // 'issuer.example'
 * issuerHost('did:key:z6Mk…');                               // undefined
 * ```
 */
export function issuerHost(issuerId: string): string | undefined {
  try {
    if (issuerId.startsWith('did:web:')) return new URL(didWebUrl(issuerId)).host;
    if (issuerId.startsWith('https://')) return new URL(issuerId).host;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * A domain as a trust list writes it, normalised the way `issuerHost` writes hosts (so `Example.AC.UK` matches
 * `example.ac.uk`), or undefined when it is not a host name (with an optional port).
 *
 * @example
 * ```ts
 * normaliseDomain('Credentials.Example.AC.UK'); // 'credentials.example.ac.uk'
 * normaliseDomain('example.com:443');           // 'example.com'
 * ```
 */
export function normaliseDomain(domain: string): string | undefined {
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(domain)) return undefined;
  try {
    const url = new URL(`https://${domain}/`);
    return url.host === '' ? undefined : url.host;
  } catch {
    return undefined;
  }
}
