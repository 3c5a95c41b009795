/**
 * Bitstring Status List v1.0 `encodedList` encoding, shared by the verifier (reading lists) and the service
 * (publishing them): "u" (multibase base64url) + base64url-without-padding(GZIP(bitstring)). Bit 0 is the
 * left-most, most significant bit of byte 0. Lists hold at least 131,072 bits (16 KiB) so that one index says little
 * about which credential it is.
 */
import { gzip, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { MicrocredError } from '../errors.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Smallest list length in bits that the specification allows. */
export const MIN_LIST_BITS = 131_072;
/** Largest decompressed list we accept (guards against decompression bombs): 16 MiB = 134 million entries. */
export const MAX_LIST_BYTES = 16 * 1024 * 1024;

function invalid(message: string, details?: unknown): MicrocredError {
  return new MicrocredError('CREDENTIAL_INVALID', message, details);
}

/**
 * A new all-zero list of `bits` entries (rounded up to whole bytes; at least MIN_LIST_BITS).
 *
 * @example
 * ```ts
 * const list = createStatusList(); // 16 KiB, every credential valid
 * ```
 */
export function createStatusList(bits: number = MIN_LIST_BITS): Uint8Array {
  if (!Number.isInteger(bits) || bits < MIN_LIST_BITS) {
    throw invalid(`A status list needs at least ${MIN_LIST_BITS} entries; asked for ${bits}.`);
  }
  return new Uint8Array(Math.ceil(bits / 8));
}

function checkIndex(list: Uint8Array, index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= list.length * 8) {
    throw invalid(`Status list index ${index} is outside the list (0 to ${list.length * 8 - 1}).`, { index });
  }
}

/**
 * The bit at `index` (bit 0 = most significant bit of byte 0).
 *
 * @example
 * ```ts
 * getBit(Uint8Array.of(0b1000_0000), 0); // true
 * ```
 */
export function getBit(list: Uint8Array, index: number): boolean {
  checkIndex(list, index);
  return (((list[index >> 3] as number) >> (7 - (index & 7))) & 1) === 1;
}

/**
 * Sets or clears the bit at `index` in place.
 *
 * @example
 * ```ts
 * setBit(list, 23, true); // revoke the credential at index 23
 * ```
 */
export function setBit(list: Uint8Array, index: number, value: boolean): void {
  checkIndex(list, index);
  const mask = 1 << (7 - (index & 7));
  list[index >> 3] = value ? (list[index >> 3] as number) | mask : (list[index >> 3] as number) & ~mask;
}

/**
 * Encodes a list as an `encodedList` value: "u" + base64url-no-pad(GZIP(bits)).
 *
 * @throws MicrocredError `CREDENTIAL_INVALID` when the list is shorter than MIN_LIST_BITS.
 * @example
 * ```ts
 * const encodedList = await encodeStatusList(createStatusList()); // 'uH4sI…'
 * ```
 */
export async function encodeStatusList(bits: Uint8Array): Promise<string> {
  if (bits.length * 8 < MIN_LIST_BITS) {
    throw invalid(`A status list needs at least ${MIN_LIST_BITS} bits; this one has ${bits.length * 8}.`);
  }
  const zipped = await gzipAsync(bits);
  return 'u' + Buffer.from(zipped).toString('base64url');
}

/**
 * Decodes an `encodedList`. With `{ legacy: true }` a value without the "u" prefix is read as StatusList2021
 * (plain base64url of the GZIP data, which also tolerates padding).
 *
 * @throws MicrocredError `CREDENTIAL_INVALID` naming the problem: missing prefix, not base64url, not GZIP, or fewer
 *   than `minBits` (default MIN_LIST_BITS) entries.
 * @example
 * ```ts
 * const list = await decodeStatusList(listCredential.credentialSubject.encodedList);
 * getBit(list, Number(entry.statusListIndex));
 * ```
 */
export async function decodeStatusList(
  encoded: string,
  options: { legacy?: boolean; minBits?: number } = {},
): Promise<Uint8Array> {
  if (typeof encoded !== 'string' || encoded.length === 0) {
    throw invalid(`encodedList must be a non-empty string; found ${JSON.stringify(encoded)}.`);
  }
  let text = encoded;
  if (text.startsWith('u')) text = text.slice(1);
  else if (!options.legacy) {
    throw invalid(`encodedList must start with "u" (multibase base64url); found ${JSON.stringify(encoded.slice(0, 8))}….`);
  }
  const pattern = options.legacy ? /^[A-Za-z0-9_-]+={0,2}$/ : /^[A-Za-z0-9_-]+$/;
  if (!pattern.test(text)) throw invalid('encodedList is not base64url without padding.');
  let bits: Buffer;
  try {
    bits = await gunzipAsync(Buffer.from(text.replace(/=+$/, ''), 'base64url'), { maxOutputLength: MAX_LIST_BYTES });
  } catch (e) {
    throw invalid(`encodedList is not GZIP data or is larger than ${MAX_LIST_BYTES} bytes (${(e as Error).message}).`);
  }
  const minBits = options.minBits ?? MIN_LIST_BITS;
  if (bits.length * 8 < minBits) {
    throw invalid(`The status list has ${bits.length * 8} entries; at least ${minBits} are required.`, { bits: bits.length * 8 });
  }
  return new Uint8Array(bits.buffer, bits.byteOffset, bits.length);
}
