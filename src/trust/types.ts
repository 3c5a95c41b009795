/**
 * Types of trust lists: the configured sources, the issuers they list, and what a lookup found.
 */

/**
 * The formats microcred reads, told apart by their shape (see `parseTrustList`):
 * - `microcred`: microcred's simple list (`{ "name", "issuers": [{ "id" | "domain", "name" }] }`,
 *   src/schemas/trust-list.schema.json);
 * - `dcc-registry`: a DCC issuer registry as the Learner Credential Wallet and VerifierPlus read it
 *   (`{ "meta", "registry": { DID: { "name", "location", "url" } } }`, the "dcc-legacy" type);
 * - `dcc-known-registries`: the DCC list of registries (`[{ "name", "type": "dcc-legacy" | "oidf", "url" |
 *   "trustAnchorEC" }]`), each entry read as a list of its own;
 * - `oidf`: an OpenID Federation trust anchor (its entity configuration, a signed JWT), asked about each issuer
 *   at its `federation_fetch_endpoint`;
 * - `hosted`: the issuers this service hosts (`TrustRegistryOptions.hosted`).
 */
export type TrustListFormat = 'microcred' | 'dcc-registry' | 'dcc-known-registries' | 'oidf' | 'hosted';

/** A configured trust list: a local file or a URL (fetched through the guarded fetch). */
export type TrustListSource =
  | {
      /** A local file, read when the registry is created. */
      file: string;
      /** The list's name, where the document gives none (a DCC registry); the document's own name wins otherwise. */
      name?: string;
    }
  | {
      /** An https URL: a list document, a DCC list of registries, or an OpenID Federation entity configuration. */
      url: string;
      name?: string;
    };

/** One issuer on a trust list, as a lookup returns it. */
export interface KnownIssuer {
  /** The issuer's name as the list gives it (shown instead of the name the credential claims). */
  name: string;
  /** The list's name (e.g. "DCC Community Registry"). */
  list: string;
  /** Where the list came from: its file path or URL (an OpenID Federation list: the trust anchor's entity configuration URL). */
  listSource: string;
  listFormat: TrustListFormat;
  /** How the issuer matched: its exact identifier, or (microcred lists only) the host of its did:web or https identifier. */
  matchedBy: 'id' | 'domain';
  /** The entry's identifier or domain that matched. */
  matched: string;
  /** The issuer's web site, as the list gives it. */
  url?: string;
  /** The issuer's logo (URL or data: URI), as the list gives it. */
  logo?: string;
  location?: string;
}

/** What became of one list during a lookup. */
export interface TrustListState {
  name: string;
  /** The list's file path or URL; `hosted` for the issuers this service hosts. */
  source: string;
  /** Absent when the list was never read (a remote list that could not be fetched the first time). */
  format?: TrustListFormat;
  /**
   * `ok`: consulted; `stale`: consulted from a copy past its freshness because fetching it again failed (within the
   * stale bound); `unavailable`: could not be consulted (never treated as an empty list).
   */
  state: 'ok' | 'stale' | 'unavailable';
  /** `stale` and `unavailable`: why the list could not be (re)fetched or read. */
  error?: string;
  /** Remote lists: when the copy used was fetched (ISO 8601). */
  fetchedAt?: string;
}

/** The outcome of looking an issuer up in every configured list. */
export interface TrustLookup {
  /** Every list entry that matched, in the configured order (the first is the most authoritative). */
  matches: KnownIssuer[];
  /** Every list consulted or attempted, in the configured order. */
  lists: TrustListState[];
}

/** The issuers this service hosts (it holds their keys), as the service describes them. */
export interface HostedIssuer {
  name: string;
  url?: string;
  logo?: string;
}

/** The seam through which a service makes its own issuers known. */
export interface HostedIssuers {
  /** The list's name as shown ("on <list>: <name>"). Default: "the issuers this service hosts". */
  name?: string;
  /** The hosted issuer with this identifier, if any. */
  find(issuerId: string): HostedIssuer | undefined | Promise<HostedIssuer | undefined>;
}

/** Known issuers for the verifier (`VerifyOptions.trust`), made by `createTrustRegistry`. */
export interface TrustRegistry {
  /**
   * Looks an issuer up in every configured list. `issuerId` is the credential's issuer.id whose key was proven.
   * Never throws for a list that cannot be fetched: it is reported in `lists`.
   */
  lookup(issuerId: string): Promise<TrustLookup>;
  /** Fetches (or reuses) every remote list now and reports each list's state (for a start-up or health check). */
  refresh(): Promise<TrustListState[]>;
}
