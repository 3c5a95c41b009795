/**
 * The verifier's sentences that are built from structured data, in one place: each has a stable id and
 * `{name}` placeholders, so a page can show them in another language from the same id and parameters (the
 * English text travels alongside). Parameters are data the verifier established (a host, a list's name) or that
 * the credential states (a name it gives itself); the sentence says which.
 *
 * Ids are grouped by what they describe: `verify.signer.*` (who holds the signing key, as proven),
 * `verify.issuer.*` (the issuer's name), `verify.trust.*` (the issuer-trust check), `verify.issuerKey.*`,
 * `verify.proof.*`, `verify.status.*`.
 */

export const VERIFY_MESSAGES = {
  // Who holds the key that made the issuer's signature, as proven.
  'verify.signer.didWeb': 'Signed with a key published at {host}.',
  'verify.signer.https': 'Signed with a key published at {host}.',
  'verify.signer.didKey': 'Signed with a self-asserted key (did:key), not tied to any organisation.',
  'verify.signer.didKeyListed': 'Signed with a key (did:key) that {list} lists for {name}.',
  'verify.signer.other': 'Signed with a key of {id}, an identifier microcred cannot tie to a web address.',
  'verify.signer.unproven': "Not established: no valid signature made with the issuer's key was found.",
  // The issuer's name: listed (known) or only claimed.
  'verify.issuer.listed': 'On {list}: {name}.',
  'verify.issuer.says': 'Says it is {name}.',
  'verify.issuer.unnamed': 'Gives no name.',
  // The issuer-trust check.
  'verify.trust.listed': 'On {list}: {name}.',
  'verify.trust.alsoListed': 'Also on {lists}.',
  'verify.trust.notListed': 'Not on any configured list ({lists}).',
  'verify.trust.notOnList': 'Not on {list}.',
  'verify.trust.noneChecked': 'Not confirmed: none of the configured lists could be checked.',
  'verify.trust.noLists': 'Not on any configured list: no trust list is configured.',
  'verify.trust.unavailable': 'The list {list} could not be checked: {reason}',
  'verify.trust.unavailableMany': '{count} lists could not be checked ({lists}); the details say why.',
  'verify.trust.stale': 'The copy of {list} used was fetched at {fetchedAt}; fetching it again failed: {reason}',
  'verify.trust.claimOnlyNamed': 'The name the credential gives its issuer ({name}) is its own claim.',
  'verify.trust.unnamed': 'The credential gives its issuer no name.',
  'verify.trust.skippedNoKey': "Not checked: the signature was not shown to be made with the issuer's key.",
  // The issuer-key check.
  'verify.issuerKey.didKey': "The signing key is the issuer's own identifier (a did:key), so the issuer holds it; a did:key is not tied to any organisation.",
  'verify.issuerKey.listed': "The signing key is the issuer's: the key list published for {issuer} names it as a key for issuing credentials.",
  'verify.issuerKey.jwks': "The signing key is the issuer's: it is listed in the key set published for {issuer} at {url}.",
  'verify.issuerKey.jwksOwn': "The signing key is the issuer's: it is listed in the key set published for {issuer}.",
  'verify.issuerKey.notListed': "The key list published for {issuer} does not list the signing key ({key}) as one for issuing credentials.",
  'verify.issuerKey.notPublished': 'The key that signed the token is not one that {issuer} publishes, so the token may not come from that issuer.',
  'verify.issuerKey.otherOne': "One other signature was made by someone else ({keys}); it is not the issuer's and was checked only for integrity.",
  'verify.issuerKey.otherMany': "{count} other signatures were made by someone else ({keys}); they are not the issuer's and were checked only for integrity.",
  // The proof check.
  'verify.proof.pass': 'The signature matches: the credential has not been changed since it was signed.',
  'verify.proof.allMatch': 'It carries {count} signatures and every one matches.',
  'verify.proof.allMatchChain': 'It carries {count} signatures and every one matches, including signatures that build on earlier ones (a proof chain).',
  'verify.proof.ignored': 'A signature of a kind microcred does not support ({kinds}) was ignored.',
  // The status check.
  'verify.status.none': 'The credential cannot be revoked: it has no status information (credentialStatus), so the issuer cannot withdraw it.',
  'verify.status.noRevocation': 'The credential cannot be revoked: none of its status entries is for revocation.',
} as const;

export type MessageId = keyof typeof VERIFY_MESSAGES;

/** Parameter values of a sentence. */
export type MessageParams = Record<string, string | number>;

/** One sentence: its stable id, its parameters and its English text. */
export interface Message {
  id: MessageId;
  params: MessageParams;
  text: string;
}

/**
 * One sentence of the catalogue with its `{name}` placeholders filled in (a placeholder without a value stays as
 * written, which a test rules out for every sentence the verifier produces).
 *
 * @example
 * ```ts
 * message('verify.signer.didWeb', { host: 'credentials.example.ac.uk' });
 * // { id: 'verify.signer.didWeb', params: { host: 'credentials.example.ac.uk' },
 * //   text: 'Signed with a key published at credentials.example.ac.uk.' }
 * ```
 */
export function message(id: MessageId, params: MessageParams = {}): Message {
  const text = VERIFY_MESSAGES[id].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  return { id, params, text };
}

/** The sentences as one text (what `Check.message` holds when `Check.messages` is set). */
export function joinMessages(messages: Message[]): string {
  return messages.map((m) => m.text).join(' ');
}
