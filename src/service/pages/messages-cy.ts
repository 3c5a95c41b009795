/**
 * Internal: the verifier's catalogued sentences (src/verify/messages.ts) in Welsh, by the same ids and placeholders,
 * for the pages. A sentence the verifier writes without an id stays in English, marked as English on the page.
 */
import type { Message, MessageId } from '../../verify/messages.js';
import type { Lang } from '../../display/i18n/index.js';

const CY: Record<MessageId, string> = {
  'verify.signer.didWeb': 'Wedi’i lofnodi ag allwedd a gyhoeddwyd yn {host}.',
  'verify.signer.https': 'Wedi’i lofnodi ag allwedd a gyhoeddwyd yn {host}.',
  'verify.signer.didKey': 'Wedi’i lofnodi ag allwedd hunanddatganedig (did:key), nad yw wedi’i chlymu wrth unrhyw sefydliad.',
  'verify.signer.didKeyListed': 'Wedi’i lofnodi ag allwedd (did:key) y mae {list} yn ei rhestru ar gyfer {name}.',
  'verify.signer.other': 'Wedi’i lofnodi ag allwedd {id}, dynodydd na all microcred ei glymu wrth gyfeiriad gwe.',
  'verify.signer.unproven': 'Heb ei sefydlu: ni chafwyd llofnod dilys wedi’i wneud ag allwedd y cyhoeddwr.',
  'verify.issuer.listed': 'Ar {list}: {name}.',
  'verify.issuer.says': 'Mae’n dweud mai {name} ydyw.',
  'verify.issuer.unnamed': 'Nid yw’n rhoi enw.',
  'verify.trust.listed': 'Ar {list}: {name}.',
  'verify.trust.alsoListed': 'Hefyd ar {lists}.',
  'verify.trust.notListed': 'Nid yw ar unrhyw restr a ffurfweddwyd ({lists}).',
  'verify.trust.notOnList': 'Nid yw ar {list}.',
  'verify.trust.noneChecked': 'Heb ei gadarnhau: nid oedd modd gwirio unrhyw un o’r rhestrau a ffurfweddwyd.',
  'verify.trust.noLists': 'Nid yw ar unrhyw restr a ffurfweddwyd: nid oes rhestr ymddiriedaeth wedi’i ffurfweddu.',
  'verify.trust.unavailable': 'Nid oedd modd gwirio’r rhestr {list}: {reason}',
  'verify.trust.unavailableMany': 'Nid oedd modd gwirio {count} rhestr ({lists}); mae’r manylion yn dweud pam.',
  'verify.trust.stale': 'Cafodd y copi o {list} a ddefnyddiwyd ei nôl am {fetchedAt}; methodd ei nôl eto: {reason}',
  'verify.trust.claimOnlyNamed': 'Honiad y tystlythyr ei hun yw’r enw y mae’n ei roi i’w gyhoeddwr ({name}).',
  'verify.trust.unnamed': 'Nid yw’r tystlythyr yn rhoi enw i’w gyhoeddwr.',
  'verify.trust.skippedNoKey': 'Heb ei wirio: ni ddangoswyd bod y llofnod wedi’i wneud ag allwedd y cyhoeddwr.',
  'verify.issuerKey.didKey': 'Dynodydd y cyhoeddwr ei hun (did:key) yw’r allwedd lofnodi, felly’r cyhoeddwr sy’n ei dal; nid yw did:key wedi’i glymu wrth unrhyw sefydliad.',
  'verify.issuerKey.listed': 'Allwedd y cyhoeddwr yw’r allwedd lofnodi: mae’r rhestr allweddi a gyhoeddwyd ar gyfer {issuer} yn ei henwi fel allwedd ar gyfer cyhoeddi tystlythyrau.',
  'verify.issuerKey.jwks': 'Allwedd y cyhoeddwr yw’r allwedd lofnodi: mae wedi’i rhestru yn y set allweddi a gyhoeddwyd ar gyfer {issuer} yn {url}.',
  'verify.issuerKey.jwksOwn': 'Allwedd y cyhoeddwr yw’r allwedd lofnodi: mae wedi’i rhestru yn y set allweddi a gyhoeddwyd ar gyfer {issuer}.',
  'verify.issuerKey.notListed': 'Nid yw’r rhestr allweddi a gyhoeddwyd ar gyfer {issuer} yn rhestru’r allwedd lofnodi ({key}) fel un ar gyfer cyhoeddi tystlythyrau.',
  'verify.issuerKey.notPublished': 'Nid yw’r allwedd a lofnododd y tocyn yn un y mae {issuer} yn ei chyhoeddi, felly efallai nad yw’r tocyn yn dod gan y cyhoeddwr hwnnw.',
  'verify.issuerKey.otherOne': 'Gwnaed un llofnod arall gan rywun arall ({keys}); nid y cyhoeddwr ydyw, a dim ond ei gyfanrwydd a wiriwyd.',
  'verify.issuerKey.otherMany': 'Gwnaed {count} llofnod arall gan rywun arall ({keys}); nid y cyhoeddwr ydynt, a dim ond eu cyfanrwydd a wiriwyd.',
  'verify.proof.pass': 'Mae’r llofnod yn cyfateb: nid yw’r tystlythyr wedi newid ers iddo gael ei lofnodi.',
  'verify.proof.allMatch': 'Mae’n cario {count} llofnod ac mae pob un yn cyfateb.',
  'verify.proof.allMatchChain': 'Mae’n cario {count} llofnod ac mae pob un yn cyfateb, gan gynnwys llofnodion sy’n adeiladu ar rai cynharach (cadwyn brawf).',
  'verify.proof.ignored': 'Anwybyddwyd llofnod o fath nad yw microcred yn ei gefnogi ({kinds}).',
  'verify.status.none': 'Ni ellir dirymu’r tystlythyr: nid oes ganddo wybodaeth statws (credentialStatus), felly ni all y cyhoeddwr ei dynnu’n ôl.',
  'verify.status.noRevocation': 'Ni ellir dirymu’r tystlythyr: nid yw unrhyw un o’i gofnodion statws ar gyfer dirymu.',
};

/** One sentence of a page: its text and, when it stays English on a Welsh page, `lang: 'en'`. */
export interface PageSentence {
  text: string;
  lang?: 'en';
}

/**
 * A verifier sentence in the page's language: the catalogued ones translated, others in English.
 *
 * @example
 * ```ts
 * sentences('cy', check.message, check.messages); // [{ text: 'Wedi’i lofnodi ag allwedd …' }]
 * ```
 */
export function sentences(lang: Lang, english: string, messages: readonly Message[] | undefined): PageSentence[] {
  if (lang === 'en') return [{ text: english }];
  if (!messages || messages.length === 0) return [{ text: english, lang: 'en' }];
  return messages.map((m) => ({ text: CY[m.id].replace(/\{(\w+)\}/g, (whole, name: string) => (name in m.params ? String(m.params[name]) : whole)) }));
}
