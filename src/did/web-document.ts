/**
 * The public documents an issuer publishes for its key set: the DID (controller) document and a JWK Set.
 *
 * Every key, Ed25519 and P-256, is a `Multikey` with `publicKeyMultibase` (`z6Mk…` / `zDn…`): both contexts it
 * needs (DID v1, Multikey v1) are bundled, whereas `JsonWebKey`/`publicKeyJwk` needs a context we do not ship
 * (JSON-LD-processing verifiers would fail on the undefined term). JWT verifiers that want a JWK get it from
 * `jwks.json` (OB's key-provenance check reads `/.well-known/jwks.json`), where `kid` is the same verification
 * method id as in the JWT header.
 */

/**
 * What the published documents need of an issuer's keys: the controller and each key's public parts. A key set
 * (`KeySet` in keyset/) has this shape; the DID layer does not depend on how keys are stored.
 */
export interface PublishedKeys {
  controller: string;
  keys: readonly {
    id: string;
    alg: 'Ed25519' | 'ES256';
    publicKeyMultibase: string;
    publicKeyJwk: { kty: string; crv: string; x: string; y?: string };
  }[];
}

export interface VerificationMethod {
  id: string;
  type: 'Multikey';
  controller: string;
  publicKeyMultibase: string;
}

export interface ControllerDocument {
  '@context': string[];
  id: string;
  verificationMethod: VerificationMethod[];
  assertionMethod: string[];
}

export interface PublicJwkWithKid {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: 'EdDSA' | 'ES256';
  use: 'sig';
}

/**
 * The DID document (`did.json`) to publish for a key set. Lists every key, active or retired, under
 * `verificationMethod` and `assertionMethod`, so credentials signed before a rotation keep verifying. The P-256
 * Multikey (`zDn…`), when the set has one, is there for both of its uses: ES256 JWTs and ecdsa-rdfc-2019 proofs.
 * Works for any controller (did:web, did:key, https), though only did:web needs publishing.
 *
 * @example
 * ```ts
 * const keys = await loadKeySet('/etc/microcred/keys');
 * await writeFile('did.json', JSON.stringify(didWebDocument(keys), null, 2));
 * ```
 */
export function didWebDocument(keys: PublishedKeys): ControllerDocument {
  const verificationMethod = keys.keys.map((k) => ({
    id: k.id,
    type: 'Multikey' as const,
    controller: keys.controller,
    publicKeyMultibase: k.publicKeyMultibase,
  }));
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: keys.controller,
    verificationMethod,
    assertionMethod: verificationMethod.map((vm) => vm.id),
  };
}

/**
 * The JWK Set (`jwks.json`, to serve at `https://HOST/.well-known/jwks.json`) of a key set: every public key with
 * `kid` = its verification method id and the JWS `alg` it signs with. Never contains private members.
 *
 * @example
 * ```ts
 * const set = jwks(keys);
 * const key = await jose.importJWK(set.keys.find((k) => k.kid === header.kid)!);
 * ```
 */
export function jwks(keys: Pick<PublishedKeys, 'keys'>): { keys: PublicJwkWithKid[] } {
  return {
    keys: keys.keys.map((k) => ({
      kty: k.publicKeyJwk.kty,
      crv: k.publicKeyJwk.crv,
      x: k.publicKeyJwk.x,
      ...(k.publicKeyJwk.y !== undefined ? { y: k.publicKeyJwk.y } : {}),
      kid: k.id,
      alg: k.alg === 'Ed25519' ? ('EdDSA' as const) : ('ES256' as const),
      use: 'sig' as const,
    })),
  };
}
