/**
 * Signing an unsigned OpenBadgeCredential with the issuer's key set, as Data Integrity or as VC-JWT.
 */
import { MicrocredError } from './errors.js';
import type { DocumentLoader } from './lib/document-loader.js';
import type { JwtAlg, KeySet } from './keyset/keyset.js';
import { signDataIntegrity } from './proof/di.js';
import type { Cryptosuite, SignedCredential } from './proof/di.js';
import { signJwt } from './proof/jwt.js';

export interface IssueOptions {
  /** `di`: embedded `DataIntegrityProof` (eddsa-rdfc-2022); `jwt`: OB 3.0 VC-JWT (compact JWS). */
  format: 'di' | 'jwt';
  /** The issuer's key set; its controller must equal the credential's `issuer.id`. */
  keys: KeySet;
  /** di only: JSON-LD loader (default: bundled contexts only). */
  documentLoader?: DocumentLoader;
  /** di only: proof `created` (default now). */
  created?: string;
  /** jwt only: `ES256` (default for did:web issuers) or `EdDSA` (the only choice for did:key issuers). */
  alg?: JwtAlg;
  /** di only: an `eddsa-rdfc-2022` cryptosuite object to use instead of the reference one (e.g. a faster one). */
  cryptosuite?: Cryptosuite;
}

/**
 * Signs a credential with the active key of the key set.
 * - `format: 'di'` returns a copy of the credential with `proof: [DataIntegrityProof]`;
 * - `format: 'jwt'` returns the compact JWS (header `{alg, kid, typ: "JWT"}`, payload = credential + iss/jti/sub/nbf/exp).
 *
 * @throws MicrocredError `CREDENTIAL_INVALID` when `issuer.id` is not the key set's controller (verifiers would
 *   reject the key), `KEY_NOT_FOUND`/`UNSUPPORTED` for a missing or impossible key, `SIGNING_FAILED`.
 * @example
 * ```ts
 * const keys = await loadKeySet('keys.example');
 * const credential = buildCredential(profile, record, { issuerId: keys.controller });
 * const signed = await issueCredential(credential, { format: 'di', keys });
 * const jws = await issueCredential(credential, { format: 'jwt', keys });
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
    return signDataIntegrity(credential, {
      signer: keys.signer(keys.activeKey('di').id),
      ...(options.documentLoader ? { documentLoader: options.documentLoader } : {}),
      ...(options.created !== undefined ? { created: options.created } : {}),
      ...(options.cryptosuite ? { cryptosuite: options.cryptosuite } : {}),
    });
  }
  if (options.format === 'jwt') {
    const alg = options.alg ?? keys.defaultJwtAlg();
    const key = keys.activeKey('jwt', alg);
    return signJwt(credential as Record<string, unknown>, { alg, kid: key.id, key: keys.signingKey(key.id) });
  }
  throw new MicrocredError('UNSUPPORTED', `format must be "di" or "jwt"; found ${JSON.stringify((options as { format?: unknown }).format)}.`);
}
