/**
 * Every sentence of the stacking report, generated from structured messages. The engine only builds messages
 * (a code and its parameters); this module alone turns them into words, so another language (Welsh) is one more
 * table with the same keys.
 */
import type { FrameworkLevel } from '../record/types.js';

type Level = { framework: string; atLeast: FrameworkLevel };
type Subjects = { hecos?: string[]; cah?: string[] };
type Credits = { required: number; counted: number; missing: number; system: string };

/** Parameters per message code. */
export interface MessageParams {
  'verdict.met': { title: string };
  'verdict.notMet': { title: string; unmet: number };
  'credential.counted': { name: string; credits: number; system: string; group?: string; converted?: { value: number; system: string }; mapped?: { value: number; issuer: string } };
  'credential.notValid': { name: string; problems: string[] };
  'credential.unreadable': { problems: string[] };
  'credential.otherLearner': { name: string; reason: 'did' | 'name' | 'no-identity' | 'presenter-unverified'; found?: string; expected?: string };
  'credential.duplicate': { name: string; of: string; ofIndex: number; reason: 'same-achievement' | 'same-course' | 'equivalent' | 'reissue' };
  'credential.rplReview': { name: string; issuer: string };
  'credential.outOfDate': { name: string; completed?: string; earliest: string };
  'credential.overRplCap': { name: string; credits: number; cap: number; system: string };
  'credential.creditsUnknown': { name: string; reason: 'none' | 'unit-unknown'; value?: number; issuer?: string };
  'rule.total': Credits;
  'rule.minimum': Credits & { level?: Level; subjects?: Subjects };
  'rule.group': Credits & { title: string; level?: Level; subjects?: Subjects };
  'rule.requiredCourse': { course: string; found?: string };
  'rule.rpl': { cap: number; system: string; external: number; setAside: number };
  'rule.currency': { withinYears: number; of: string; earliest: string; setAside: number };
  'rule.recognisedProviders': { setAside: number; providers: string[] };
  'rule.bundle': { title: string; met: boolean; modules: number; credits: number; minModuleCredits?: number; minCredits?: number; system: string };
  'allocation.none': Record<string, never>;
  'allocation.direct': { groups: number };
  'allocation.search': { choices: number; combinations: number };
  'allocation.greedy': { choices: number; combinations: number; limit: number };
  'note.eqfComparison': { frameworks: string[] };
  'note.converted': { count: number; system: string };
  'note.learnerFromFirst': { name: string };
  'note.learnerUnknown': Record<string, never>;
  'note.challengeNotChecked': Record<string, never>;
}

export type MessageCode = keyof MessageParams;

/** A structured message: what happened, with its data. `sentence()` gives the words. */
export type StackingMessage = { [K in MessageCode]: { code: K; params: MessageParams[K] } }[MessageCode];

/** Builds a typed message. */
export function msg<K extends MessageCode>(code: K, params: MessageParams[K]): StackingMessage {
  return { code, params } as StackingMessage;
}

const n = (x: number): string => (Number.isInteger(x) ? String(x) : String(Number(x.toFixed(2))));
const credits = (x: number, system: string): string => `${n(x)} ${system} credit${x === 1 ? '' : 's'}`;
const levelText = (l: Level): string =>
  typeof l.atLeast === 'string' ? `${l.framework} Entry ${l.atLeast.slice(5)}` : `${l.framework} ${l.atLeast}`;
const subjectText = (s: Subjects): string => [...(s.cah ?? []), ...(s.hecos ?? []).map((c) => `HECoS ${c}`)].join(' or ');
const scope = (level?: Level, subjects?: Subjects): string =>
  `${level ? ` at ${levelText(level)}` : ''}${subjects && subjectText(subjects) ? ` in ${subjectText(subjects)}` : ''}`;
const scopeAtOrAbove = (level?: Level, subjects?: Subjects): string =>
  `${level ? ` at ${levelText(level)} or above` : ''}${subjects && subjectText(subjects) ? ` in ${subjectText(subjects)}` : ''}`;
const list = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

function creditRule(c: Credits, what: string, level?: Level, subjects?: Subjects): string {
  const wanted = `${credits(c.required, c.system)}${scopeAtOrAbove(level, subjects)}`;
  if (c.missing <= 0) return `Met: ${what}${wanted}; ${credits(c.counted, c.system)} counted.`;
  return `Not met: ${what}${wanted}; ${credits(c.counted, c.system)} counted, so it needs ${n(c.missing)} more credit${c.missing === 1 ? '' : 's'}${scope(level, subjects)}.`;
}

const EN: { [K in MessageCode]: (p: MessageParams[K]) => string } = {
  'verdict.met': (p) => `The credentials meet the rules of ${p.title}.`,
  'verdict.notMet': (p) => `The credentials do not meet the rules of ${p.title}: ${p.unmet} requirement${p.unmet === 1 ?' is' : 's are'} not met.`,
  'credential.counted': (p) =>
    `${p.name}: counted, ${credits(p.credits, p.system)}` +
    (p.converted ? ` (converted from ${credits(p.converted.value, p.converted.system)} at 2 UK credits = 1 ECTS credit)` : '') +
    (p.mapped ? ` (the credential states ${n(p.mapped.value)} credits without a unit; read as the rules say for ${p.mapped.issuer})` : '') +
    (p.group ? `, towards ${p.group}` : '') +
    '.',
  'credential.notValid': (p) => `${p.name}: not counted, because the credential is not valid: ${p.problems.join(' ')}`,
  'credential.unreadable': (p) => `An item of the set could not be read as a credential, so it counts for nothing: ${p.problems.join(' ')}`,
  'credential.otherLearner': (p) =>
    `${p.name}: not counted, because it ` +
    (p.reason === 'did'
      ? `was awarded to ${p.found}, not to the learner ${p.expected}`
      : p.reason === 'name'
        ? `names the learner ${JSON.stringify(p.found)}, not ${JSON.stringify(p.expected)}`
        : p.reason === 'presenter-unverified'
          ? `was awarded to ${p.found}, and the presentation's signature does not prove that the presenter is that learner`
          : 'carries no identifier (DID, name, e-mail address or student id) that matches the learner') +
    '. Credentials of different people are never combined.',
  'credential.duplicate': (p) =>
    `${p.name}: not counted again, because ` +
    (p.reason === 'reissue'
      ? `it and ${p.of} are the same award (the same achievement from the same issuer, awarded on the same date): one was reissued as the other, and only the later one counts`
      : p.reason === 'same-achievement'
        ? `${p.of} is the same achievement`
        : p.reason === 'same-course'
          ? `${p.of} is the same course (same issuer and course code)`
          : `the rules treat it as the same course as ${p.of}`) +
    '.',
  'credential.rplReview': (p) =>
    `${p.name}: not counted, because ${p.issuer} is not one of the recognised providers; it is listed for recognition of prior learning (RPL) review.`,
  'credential.outOfDate': (p) =>
    `${p.name}: not counted, because it was completed ${p.completed ? `on ${p.completed}` : 'on an unknown date'}, before ${p.earliest}, the earliest date the rules accept.`,
  'credential.overRplCap': (p) =>
    `${p.name}: not counted, because its ${credits(p.credits, p.system)} would take the credit from other providers over the limit of ${credits(p.cap, p.system)}.`,
  'credential.creditsUnknown': (p) =>
    p.reason === 'unit-unknown'
      ? `${p.name}: not counted, because it states ${n(p.value ?? 0)} credits without saying in which unit (Open Badges defines creditsAvailable as credit hours), and the rules give no mapping for ${p.issuer}; the unit is unknown.`
      : `${p.name}: not counted, because it states no credit.`,
  'rule.total': (p) => creditRule(p, 'at least '),
  'rule.minimum': (p) => creditRule(p, 'at least ', p.level, p.subjects),
  'rule.group': (p) => creditRule(p, `${p.title} needs at least `, p.level, p.subjects),
  'rule.requiredCourse': (p) => (p.found ? `Met: the required course ${p.course} is there (${p.found}).` : `Not met: the required course ${p.course} is missing.`),
  'rule.rpl': (p) =>
    p.setAside === 0
      ? `Met: ${credits(p.external, p.system)} from other providers counted, within the limit of ${credits(p.cap, p.system)}.`
      : `Not met: credit from other providers is limited to ${credits(p.cap, p.system)}; ${p.setAside} credential${p.setAside === 1 ? ' was' : 's were'} set aside beyond that limit.`,
  'rule.currency': (p) =>
    p.setAside === 0
      ? `Met: every credential was completed within ${p.withinYears} years of ${p.of} (on or after ${p.earliest}).`
      : `Not met: ${p.setAside} credential${p.setAside === 1 ? ' was' : 's were'} completed before ${p.earliest} (more than ${p.withinYears} years before ${p.of}) and ${p.setAside === 1 ? 'does' : 'do'} not count.`,
  'rule.recognisedProviders': (p) =>
    p.setAside === 0
      ? `Met: every credential comes from a recognised provider (${list(p.providers)}).`
      : `Not met: ${p.setAside} credential${p.setAside === 1 ? ' comes' : 's come'} from providers outside ${list(p.providers)} and ${p.setAside === 1 ? 'is' : 'are'} listed for recognition of prior learning review.`,
  'rule.bundle': (p) => {
    const what = [
      p.minModuleCredits !== undefined ? `modules of at least ${credits(p.minModuleCredits, p.system)}` : 'modules',
      p.minCredits !== undefined ? `adding up to at least ${credits(p.minCredits, p.system)}` : '',
    ].filter(Boolean).join(' ');
    return `${p.met ? 'Optional bundle met' : 'Optional bundle not met'}: ${p.title} (${what}): ${p.modules} module${p.modules === 1 ? '' : 's'} with ${credits(p.credits, p.system)} qualify.`;
  },
  'allocation.none': () => 'The rules have no rule groups, so no credit had to be allocated.',
  'allocation.direct': (p) => `Each credential fitted at most one of the ${p.groups} rule groups, so its credits went to that group.`,
  'allocation.search': (p) =>
    `${p.choices} credential${p.choices === 1 ? '' : 's'} fitted more than one rule group; every one of the ${p.combinations} ways of allocating them was tried, and the one meeting the most groups (then covering the most required credit, then the first in rule order) was kept. Credits count towards one group only.`,
  'allocation.greedy': (p) =>
    `${p.choices} credentials fitted more than one rule group, giving ${p.combinations} ways of allocating them, more than the ${p.limit} that are tried one by one; each credential, oldest first, went to the group it fits that still needs the most credit. Credits count towards one group only.`,
  'note.eqfComparison': (p) =>
    `Levels in different frameworks (${list(p.frameworks)}) were compared through the European Qualifications Framework (EQF), using the UK referencing: a credential counts towards a level rule when its EQF level is at least the EQF level of the rule's level. This is a comparison, not a formal equivalence.`,
  'note.converted': (p) => `${p.count} credential${p.count === 1 ? "'s credit was" : "s' credit was"} converted into ${p.system} credits at 2 UK credits = 1 ECTS credit.`,
  'note.learnerFromFirst': (p) => `No learner was named and the set was not presented by a learner, so the learner is the one named by the first credential: ${p.name}.`,
  'note.learnerUnknown': () => 'No learner could be identified: neither a signed presentation nor a learner was given, and the first credential names no one.',
  'note.challengeNotChecked': () =>
    "The presentation's challenge was not compared with one this verifier issued (none was given), so a presentation made earlier for someone else would also be accepted.",
};

/**
 * The English sentence for a message.
 *
 * @example
 * ```ts
 * sentence(msg('rule.total', { required: 120, counted: 90, missing: 30, system: 'UK' }));
 * // 'Not met: at least 120 UK credits; 90 UK credits counted, so it needs 30 more credits.'
 * ```
 */
export function sentence(message: StackingMessage): string {
  return (EN[message.code] as (p: unknown) => string)(message.params);
}
