/**
 * The Data Integrity cryptosuites microcred signs with, and the key each one needs. Plain data with no crypto
 * imports, so key sets and option parsers can name a suite without loading the suite implementations
 * (`src/proof/suites.ts` holds those).
 *
 * - `eddsa-rdfc-2022` (W3C vc-di-eddsa): RDF Dataset Canonicalization, Ed25519. The default, and the one Open Badges
 *   3.0 certification uses.
 * - `eddsa-jcs-2022` (W3C vc-di-eddsa): JSON Canonicalization Scheme (RFC 8785), Ed25519.
 * - `ecdsa-rdfc-2019` (W3C vc-di-ecdsa): RDF Dataset Canonicalization, ECDSA. Signed with P-256 (the curve of the
 *   key sets' ES256 key); P-384 proofs are verified too.
 */

/**
 * Every cryptosuite microcred can sign with, default first.
 *
 * @example
 * ```ts
 * await issueCredential(credential, { format: 'di', keys, cryptosuite: CRYPTOSUITES[1] }); // eddsa-jcs-2022
 * ```
 */
export const CRYPTOSUITES = ['eddsa-rdfc-2022', 'eddsa-jcs-2022', 'ecdsa-rdfc-2019'] as const;

/** The name of a cryptosuite microcred signs with (the proof's `cryptosuite` value). */
export type CryptosuiteName = (typeof CRYPTOSUITES)[number];

/**
 * The cryptosuite used when none is asked for: `eddsa-rdfc-2022`, the one Open Badges 3.0 certification requires.
 *
 * @example
 * ```ts
 * const suite = options.cryptosuite ?? DEFAULT_CRYPTOSUITE;
 * ```
 */
export const DEFAULT_CRYPTOSUITE: CryptosuiteName = 'eddsa-rdfc-2022';

/** The curve of the key a cryptosuite signs with, as a Data Integrity `Signer.algorithm` names it. */
export type SignerAlgorithm = 'Ed25519' | 'P-256';

const SIGNER_ALGORITHM: Record<CryptosuiteName, SignerAlgorithm> = {
  'eddsa-rdfc-2022': 'Ed25519',
  'eddsa-jcs-2022': 'Ed25519',
  'ecdsa-rdfc-2019': 'P-256',
};

/**
 * True for the name of a cryptosuite microcred signs with.
 *
 * @example
 * ```ts
 * isCryptosuiteName('ecdsa-rdfc-2019'); // true
 * isCryptosuiteName('bbs-2023'); // false
 * ```
 */
export function isCryptosuiteName(value: unknown): value is CryptosuiteName {
  return typeof value === 'string' && (CRYPTOSUITES as readonly string[]).includes(value);
}

/**
 * The key a cryptosuite signs with: `Ed25519` for the EdDSA suites, `P-256` for `ecdsa-rdfc-2019`.
 *
 * @example
 * ```ts
 * signerAlgorithmFor('ecdsa-rdfc-2019'); // 'P-256'
 * ```
 */
export function signerAlgorithmFor(name: CryptosuiteName): SignerAlgorithm {
  return SIGNER_ALGORITHM[name];
}
