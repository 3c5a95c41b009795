/**
 * Check "issuer-trust", and who signed as proven (`VerificationReport.signer`).
 *
 * Once the signature holds and its key is proven to be the issuer's (the issuer-key check), what that proves
 * depends on the identifier: a `did:web` or https issuer's key is published at a web host, so whoever controls that
 * host signed; a `did:key` is a key anyone can make, so nothing ties it to an organisation. The name in the
 * credential's issuer profile is the issuer's own claim either way: it is shown as "says it is …" unless the issuer
 * is on a configured trust list (`VerifyOptions.trust`), whose name for it is then shown, with the list's name.
 *
 * The check passes when the issuer is on a list and is a warning otherwise ("not on any configured list"); it never
 * fails, so it does not make a credential invalid on its own. A list that could not be checked is named in the
 * check (details: one entry per list, `path` = the list's source). Nothing is looked up for a credential whose
 * signature or issuer key did not hold: there is then no proven issuer to look up.
 */
import { issuerHost } from '../../trust/host.js';
import type { KnownIssuer, TrustListState, TrustLookup } from '../../trust/types.js';
import { reasonOf } from '../../trust/http-cache.js';
import { joinMessages, message, type Message } from '../messages.js';
import type { Check, CheckDetail, CheckStatus, ProvenSigner, VerifyContext } from '../types.js';

/** Lists that could not be checked whose reasons the check's sentence gives; beyond, it names them and the details say why. */
const MAX_REASONS = 2;

function claimedNameOf(credential: Record<string, unknown>): string | undefined {
  const name = (credential.issuer as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name.trim() ? name.trim() : undefined;
}

function methodOf(issuerId: string): ProvenSigner['method'] {
  if (issuerId.startsWith('did:web:') && issuerHost(issuerId)) return 'did:web';
  if (issuerId.startsWith('https://') && issuerHost(issuerId)) return 'https';
  if (issuerId.startsWith('did:key:')) return 'did:key';
  return 'other';
}

/**
 * The signer as proven: the key's tie to an identity, and the issuer's name (listed, or claimed).
 *
 * @example
 * ```ts
 * describeSigner('did:web:credentials.example.ac.uk', 'University of Example', undefined).messages.map((m) => m.text);
 * // ['Signed with a key published at credentials.example.ac.uk.', 'Says it is University of Example.']
 * ```
 */
export function describeSigner(issuerId: string, claimedName: string | undefined, known: KnownIssuer | undefined): ProvenSigner {
  const method = methodOf(issuerId);
  const host = method === 'did:web' || method === 'https' ? (issuerHost(issuerId) as string) : undefined;
  const messages: Message[] = [];
  if (method === 'did:web') messages.push(message('verify.signer.didWeb', { host: host as string }));
  else if (method === 'https') messages.push(message('verify.signer.https', { host: host as string }));
  else if (method === 'did:key') {
    messages.push(known ? message('verify.signer.didKeyListed', { list: known.list, name: known.name }) : message('verify.signer.didKey'));
  } else messages.push(message('verify.signer.other', { id: issuerId }));
  // A listed did:key already names the list and the name in the first sentence.
  if (!(method === 'did:key' && known)) {
    if (known) messages.push(message('verify.issuer.listed', { list: known.list, name: known.name }));
    else if (claimedName) messages.push(message('verify.issuer.says', { name: claimedName }));
    else messages.push(message('verify.issuer.unnamed'));
  }
  return {
    method,
    id: issuerId,
    ...(host ? { host } : {}),
    ...(claimedName ? { claimedName } : {}),
    ...(known ? { known } : {}),
    messages,
  };
}

function fromMessages(status: CheckStatus, messages: Message[], details?: CheckDetail[]): Check {
  return { id: 'issuer-trust', status, message: joinMessages(messages), messages, ...(details && details.length ? { details } : {}) };
}

/** Lists a reader would call lists: a DCC list of registries is a list of lists, reported only when it fails. */
function isListOfLists(state: TrustListState): boolean {
  return state.format === 'dcc-known-registries';
}

function detailsOf(lookup: TrustLookup): CheckDetail[] {
  return lookup.lists.flatMap((state): CheckDetail[] => {
    const staleNote = state.state === 'stale' ? [message('verify.trust.stale', { list: state.name, fetchedAt: state.fetchedAt ?? '', reason: state.error ?? '' })] : [];
    if (state.state === 'unavailable') {
      const messages = [message('verify.trust.unavailable', { list: state.name, reason: state.error ?? 'unknown reason.' })];
      return [{ path: state.source, status: 'unknown', message: joinMessages(messages), messages }];
    }
    if (isListOfLists(state)) {
      return staleNote.length ? [{ path: state.source, status: 'warning', message: joinMessages(staleNote), messages: staleNote }] : [];
    }
    const match = lookup.matches.find((m) => m.listSource === state.source && m.list === state.name);
    const messages = [
      match ? message('verify.trust.listed', { list: match.list, name: match.name }) : message('verify.trust.notOnList', { list: state.name }),
      ...staleNote,
    ];
    return [{ path: state.source, status: match ? (staleNote.length ? 'warning' : 'pass') : 'warning', message: joinMessages(messages), messages }];
  });
}

/**
 * Looks the proven issuer up in the configured trust lists and describes the signer. `issuerKey` is the issuer-key
 * check: nothing is looked up unless it passed.
 */
export async function checkIssuerTrust(ctx: VerifyContext, issuerKey: Check): Promise<{ check: Check; signer?: ProvenSigner }> {
  const issuerId = ctx.issuerId;
  if (issuerKey.status !== 'pass' || !issuerId) {
    return { check: fromMessages('not-applicable', [message('verify.trust.skippedNoKey')]) };
  }
  const claimedName = claimedNameOf(ctx.credential);
  let lookup: TrustLookup = { matches: [], lists: [] };
  if (ctx.options.trust) {
    try {
      lookup = await ctx.options.trust.lookup(issuerId);
    } catch (e) {
      // A registry never throws for a list it cannot fetch; one that throws anyway is reported like such a list.
      lookup = { matches: [], lists: [{ name: 'the configured trust lists', source: 'trust', state: 'unavailable', error: reasonOf(e) }] };
    }
  }
  const known = lookup.matches[0];
  const signer = describeSigner(issuerId, claimedName, known);
  const details = detailsOf(lookup);
  if (known) {
    const others = [...new Set(lookup.matches.slice(1).map((m) => m.list))].filter((l) => l !== known.list);
    const messages = [message('verify.trust.listed', { list: known.list, name: known.name })];
    if (others.length) messages.push(message('verify.trust.alsoListed', { lists: others.join(', ') }));
    return { check: fromMessages('pass', messages, details), signer };
  }
  // A list of registries may name two registries alike (the DCC's does): each name once.
  const checked = [...new Set(lookup.lists.filter((s) => s.state !== 'unavailable' && !isListOfLists(s)).map((s) => s.name))];
  const unavailable = lookup.lists.filter((s) => s.state === 'unavailable');
  const messages: Message[] = [];
  if (lookup.lists.length === 0) messages.push(message('verify.trust.noLists'));
  else if (checked.length === 0) messages.push(message('verify.trust.noneChecked'));
  else messages.push(message('verify.trust.notListed', { lists: checked.join(', ') }));
  if (unavailable.length > MAX_REASONS) {
    messages.push(message('verify.trust.unavailableMany', { count: unavailable.length, lists: [...new Set(unavailable.map((s) => s.name))].join(', ') }));
  } else {
    for (const s of unavailable) messages.push(message('verify.trust.unavailable', { list: s.name, reason: s.error ?? 'unknown reason.' }));
  }
  messages.push(claimedName ? message('verify.trust.claimOnlyNamed', { name: claimedName }) : message('verify.trust.unnamed'));
  return { check: fromMessages('warning', messages, details), signer };
}
