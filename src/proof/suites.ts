/**
 * The Data Integrity cryptosuite implementations, by name: which object signs a suite, and which verifier checks
 * a proof of the suites added next to `eddsa-rdfc-2022` (`eddsa-jcs-2022`, `ecdsa-rdfc-2019`).
 * - `eddsa-rdfc-2022`: microcred's compiled implementation (`fastCryptosuite()`, byte-identical to the reference);
 * - `eddsa-jcs-2022`: microcred's own (`./eddsa-jcs-2022.ts`, RFC 8785 through `canonicalize`);
 * - `ecdsa-rdfc-2019`: `@digitalbazaar/ecdsa-rdfc-2019-cryptosuite`.
 */
import { MicrocredError } from '../errors.js';
import { CRYPTOSUITES, isCryptosuiteName, type CryptosuiteName } from '../keyset/cryptosuites.js';
import { eddsaJcs2022 } from './eddsa-jcs-2022.js';
import { fastCryptosuite } from './fast/cryptosuite.js';
import { DataIntegrityProof, ecdsaRdfc2019, type Cryptosuite, type ProofVerifier } from './vendor.js';

/**
 * The cryptosuite object that signs `name`.
 *
 * @throws MicrocredError `UNSUPPORTED` for a name microcred does not sign with.
 * @example
 * ```ts
 * const suite = new DataIntegrityProof({ signer, cryptosuite: signingCryptosuite('ecdsa-rdfc-2019') });
 * ```
 */
export function signingCryptosuite(name: CryptosuiteName): Cryptosuite {
  switch (name) {
    case 'eddsa-rdfc-2022':
      return fastCryptosuite() as unknown as Cryptosuite;
    case 'eddsa-jcs-2022':
      return eddsaJcs2022;
    case 'ecdsa-rdfc-2019':
      return ecdsaRdfc2019;
    default:
      throw unsupportedCryptosuite(name);
  }
}

/** The `UNSUPPORTED` error for a cryptosuite name microcred does not sign with. */
export function unsupportedCryptosuite(name: unknown): MicrocredError {
  return new MicrocredError(
    'UNSUPPORTED',
    `cryptosuite must be one of ${CRYPTOSUITES.map((c) => `"${c}"`).join(', ')}; found ${JSON.stringify(name) ?? 'nothing'}.`,
    { option: 'cryptosuite', found: name, supported: [...CRYPTOSUITES] },
  );
}

/**
 * Checks a proof exactly as it appears in the credential. The proof check adds the document's `@context` to the
 * proof it hands a suite (the RDFC suites canonicalize the proof with it anyway); a JCS proof is signed as JSON, so
 * its verifier must see only the members the proof really has.
 */
function asWritten(verifier: ProofVerifier, proof: Record<string, unknown>): ProofVerifier {
  return { verifyProof: (options) => verifier.verifyProof({ ...options, proof }) };
}

/**
 * The verifier for a `DataIntegrityProof` of `eddsa-jcs-2022` or `ecdsa-rdfc-2019`, or undefined for any other
 * proof. `legacyContext`: the credential is VC 1.1 with the Data Integrity v1 context (RDFC suites only).
 *
 * @example
 * ```ts
 * const verifier = cryptosuiteVerifier(proof, { legacyContext: false });
 * const { verified } = await verifier!.verifyProof({ proof, document, proofSet: [], documentLoader });
 * ```
 */
export function cryptosuiteVerifier(proof: Record<string, unknown>, options: { legacyContext: boolean }): ProofVerifier | undefined {
  if (proof.type !== 'DataIntegrityProof' || !isCryptosuiteName(proof.cryptosuite)) return undefined;
  if (proof.cryptosuite === 'eddsa-jcs-2022') {
    return asWritten(new DataIntegrityProof({ cryptosuite: eddsaJcs2022 }), proof);
  }
  if (proof.cryptosuite === 'ecdsa-rdfc-2019') {
    return new DataIntegrityProof({ cryptosuite: ecdsaRdfc2019, legacyContext: options.legacyContext });
  }
  return undefined;
}
