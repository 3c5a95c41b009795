/**
 * Trust lists from the environment, for the CLI and the service: `MICROCRED_TRUST_LISTS` is a comma-separated list
 * of file paths and https URLs, most authoritative first.
 */
import path from 'node:path';
import { MicrocredError } from '../errors.js';
import type { TrustListSource } from './types.js';

/** The environment variable naming the trust lists. */
export const TRUST_LISTS_ENV = 'MICROCRED_TRUST_LISTS';

/**
 * Reads `MICROCRED_TRUST_LISTS`: each comma-separated item is an https URL (`https://…`) or a file path (relative
 * paths are resolved against `cwd`). Empty items are ignored; an unset or empty variable means no lists.
 *
 * @throws MicrocredError `TRUST_LIST_INVALID` naming the item, for a URL that is not https (or http, which only a
 *   fetch allowed to use plain http will fetch) or one with another scheme.
 * @example
 * ```ts
 * trustListsFromEnv({ MICROCRED_TRUST_LISTS: './trust.json, https://digitalcredentials.github.io/dcc-known-registries/known-did-registries.json' });
 * // [{ file: '/srv/app/trust.json' }, { url: 'https://digitalcredentials.github.io/dcc-known-registries/known-did-registries.json' }]
 * const trust = createTrustRegistry({ lists: trustListsFromEnv(process.env) });
 * ```
 */
export function trustListsFromEnv(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): TrustListSource[] {
  const raw = env[TRUST_LISTS_ENV];
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item): TrustListSource => {
      const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(item)?.[1]?.toLowerCase();
      if (scheme === undefined) return { file: path.resolve(cwd, item) };
      if (scheme !== 'https' && scheme !== 'http') {
        throw new MicrocredError(
          'TRUST_LIST_INVALID',
          `${TRUST_LISTS_ENV}: ${JSON.stringify(item)} is neither a file path nor an https URL.`,
          { variable: TRUST_LISTS_ENV, item },
        );
      }
      try {
        new URL(item);
      } catch {
        throw new MicrocredError('TRUST_LIST_INVALID', `${TRUST_LISTS_ENV}: ${JSON.stringify(item)} is not a valid URL.`, { variable: TRUST_LISTS_ENV, item });
      }
      return { url: item };
    });
}
