/**
 * Signing an unsigned credential with the issuer's key set, as Data Integrity or as a JWT.
 */
import { MicrocredError } from './errors.js';
import type { DocumentLoader } from './lib/document-loader.js';
import type { KeySet } from './keyset/keyset.js';
import { signDataIntegrity } from './proof/di.js';
import type { Cryptosuite, CryptosuiteName, SignedCredential } from './proof/di.js';
import { DEFAULT_CRYPTOSUITE, isCryptosuiteName } from './keyset/cryptosuites.js';
import { unsupportedCryptosuite } from './proof/suites.js';
import { defaultJwtProfile, signJwt } from './proof/jwt.js';
import type { JwsAlg, JwtProfile } from './proof/jwt.js';

export interface IssueOptions {
  /** `di`: embedded `DataIntegrityProof`; `jwt`: a compact JWS (VC-JWT). */
  format: 'di' | 'jwt';
  /** The issuer's key set; its controller must equal the credential's `issuer.id`. */
  keys: KeySet;
  /** di only: JSON-LD loader (default: bundled contexts only). */
  documentLoader?: DocumentLoader;
  /** di only: proof `created` (default now). */
  created?: string;
  /**
   * di only: the cryptosuite, by name: `eddsa-rdfc-2022` (default, on microcred's fast path), `eddsa-jcs-2022` (both
   * signed with the key set's Ed25519 key) or `ecdsa-rdfc-2019` (its P-256 key); or an implementation object whose
   * `name` is one of those (e.g. the reference `eddsa-rdfc-2022`).
   */
  cryptosuite?: CryptosuiteName | Cryptosuite;
  /**
   * jwt only: `ES256` (default when the key set has an active P-256 key) or `EdDSA` (its Ed25519 key). `ES384` needs a
   * P-384 key, which key sets do not hold: sign with `signJwt` and your own key.
   */
  alg?: JwsAlg;
  /**
   * jwt only: `ob-vc-jwt` (Open Badges 3.0 VC-JWT, header typ "JWT", iss/jti/sub/nbf/exp claims; the default for
   * Open Badges credentials) or `vc-jose-cose` (W3C VC-JOSE-COSE, typ "vc+jwt", cty "vc", payload = the credential;
   * the default for any other credential).
   */
  profile?: JwtProfile;
}

/**
 * Signs a credential with the active key of the key set.
 * - `format: 'di'` returns a copy of the credential with `proof: [DataIntegrityProof]` (`options.cryptosuite`);
 * - `format: 'jwt'` returns the compact JWS in `options.profile` (see {@link IssueOptions.profile}).
 *
 * @throws MicrocredError `CREDENTIAL_INVALID` when `issuer.id` is not the key set's controller (verifiers would
 *   reject the key) or the credential does not fit the JWT profile, `UNSUPPORTED` for a cryptosuite, algorithm or
 *   profile this key set cannot sign with (details name the option), `KEY_NOT_FOUND` for a missing private key,
 *   `SIGNING_FAILED`.
 * @example
 * ```ts
 * const keys = await loadKeySet('keys.example');
 * const credential = buildCredential(profile, record, { issuerId: keys.controller });
 * const signed = await issueCredential(credential, { format: 'di', keys });
 * const jcs = await issueCredential(credential, { format: 'di', keys, cryptosuite: 'eddsa-jcs-2022' });
 * const jws = await issueCredential(credential, { format: 'jwt', keys });
 * const vcJwt = await issueCredential(credential, { format: 'jwt', keys, profile: 'vc-jose-cose' });
 * ```
 */
export async function issueCredential<T extends object>(credential: T, options: IssueOptions & { format: 'di' }): Promise<SignedCredential<T>>;
export async function issueCredential<T extends object>(credential: T, options: IssueOptions & { format: 'jwt' }): Promise<string>;
export async function issueCredential<T extends object>(credential: T, options: IssueOptions): Promise<SignedCredential<T> | string>;
export async function issueCredential<T extends object>(credential: T, options: IssueOptions): Promise<SignedCredential<T> | string> {
  const { keys } = options;
  const issuer = (credential as { issuer?: unknown }).issuer;
  const issuerId = typeof issuer === 'string' ? issuer : (issuer as { id?: unknown } | undefined)?.id;
  if (issuerId !== keys.controller) {
    throw new MicrocredError(
      'CREDENTIAL_INVALID',
      `issuer.id must be the key set's controller ${keys.controller} so verifiers can tie the key to the issuer; ` +
        `found ${JSON.stringify(issuerId) ?? 'nothing'}.`,
      { path: '$.issuer.id' },
    );
  }
  if (options.format === 'di') {
    const requested = options.cryptosuite ?? DEFAULT_CRYPTOSUITE;
    const name = typeof requested === 'string' ? requested : requested?.name;
    if (!isCryptosuiteName(name)) throw unsupportedCryptosuite(name);
    return signDataIntegrity(credential, {
      signer: keys.signer(keys.dataIntegrityKey(name).id),
      cryptosuite: requested,
      ...(options.documentLoader ? { documentLoader: options.documentLoader } : {}),
      ...(options.created !== undefined ? { created: options.created } : {}),
    });
  }
  if (options.format === 'jwt') {
    const alg = options.alg ?? keys.defaultJwtAlg();
    if (alg === 'ES384') {
      throw new MicrocredError(
        'UNSUPPORTED',
        `Key sets hold Ed25519 and P-256 keys, so their JWTs are EdDSA or ES256; ES384 needs a P-384 key (sign with signJwt and your own key).`,
        { option: 'alg', found: alg },
      );
    }
    const key = keys.activeKey('jwt', alg);
    const profile = options.profile ?? defaultJwtProfile(credential as Record<string, unknown>);
    return signJwt(credential as Record<string, unknown>, { alg, kid: key.id, key: keys.signingKey(key.id), profile });
  }
  throw new MicrocredError('UNSUPPORTED', `format must be "di" or "jwt"; found ${JSON.stringify((options as { format?: unknown }).format)}.`);
}
