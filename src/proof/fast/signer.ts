/**
 * An Ed25519 Data Integrity signer that keeps the `node:crypto` KeyObject.
 *
 * The stock `@digitalbazaar/ed25519-multikey` signer re-imports the private key from DER on every signature
 * (about 10× the cost of the signature itself under OpenSSL 3); holding the KeyObject removes that.
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { MicrocredError } from '../../errors.js';

/** The signer shape `@digitalbazaar/data-integrity` expects. */
export interface KeyObjectSigner {
  id: string;
  algorithm: 'Ed25519';
  sign(input: { data: Uint8Array }): Promise<Uint8Array>;
}

/**
 * Creates a signer for verification method `id` from an Ed25519 private KeyObject (or PKCS#8 PEM/DER).
 *
 * @throws MicrocredError `UNSUPPORTED` when the key is not an Ed25519 private key.
 * @example
 * ```ts
 * const signer = createKeyObjectSigner({ id: `${did}#${fragment}`, privateKey: keyObject });
 * const suite = new DataIntegrityProof({ signer, cryptosuite: createFastCryptosuite() });
 * ```
 */
export function createKeyObjectSigner(options: { id: string; privateKey: KeyObject | string | Buffer }): KeyObjectSigner {
  const key = typeof options.privateKey === 'string' || Buffer.isBuffer(options.privateKey)
    ? createPrivateKey(options.privateKey)
    : options.privateKey;
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw new MicrocredError('UNSUPPORTED', `The signer for ${options.id} needs an Ed25519 private key; found a ${key.type} ${key.asymmetricKeyType ?? ''} key.`);
  }
  return {
    id: options.id,
    algorithm: 'Ed25519',
    // A Buffer is a Uint8Array: no second copy.
    sign: async ({ data }) => cryptoSign(null, data, key),
  };
}
