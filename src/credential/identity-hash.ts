import { createHash } from 'node:crypto';

/**
 * The OB 3.0 IdentityHash of an identifier: `sha256$` + lower-case hex of
 * SHA-256(UTF-8(identifier ‖ salt)). Verifiers hash the value they know with the credential's
 * `salt` and compare.
 *
 * @example
 * ```ts
 * identityHash('a@example.com', 'Kosher');
 * // 'sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399'
 * ```
 */
export function identityHash(identifier: string, salt: string): string {
  return `sha256$${createHash('sha256').update(identifier + salt, 'utf8').digest('hex')}`;
}
