/**
 * Internal: what the wallet functions answer. They know nothing of HTTP frameworks: a route writes `status`,
 * `headers` and `body` (JSON) as given. VC-API failures are thrown as `HttpProblem`s (problem+json); OID4VCI and
 * OAuth failures are answers like any other, with the `{error, error_description}` body those specifications define.
 */

export interface WalletResponse<B = unknown> {
  status: number;
  headers: Record<string, string>;
  body: B;
}

/**
 * A JSON answer (`no-store`: every wallet answer is specific to one offer or moment).
 *
 * @example
 * ```ts
 * return json(200, { protocols: { vcapi: exchangeUrl } });
 * ```
 */
export function json<B>(status: number, body: B, headers: Record<string, string> = {}): WalletResponse<B> {
  return { status, body, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers } };
}
