/**
 * The stacking engine proper (internal): given the verified, same-learner credentials and their facts, decide what
 * counts and evaluate every rule. Pure and deterministic: the same set and rules give the same report whatever the
 * order the credentials came in (ties are broken by completion date, then by position).
 *
 * What is set aside, in this order (the first reason wins): not valid, another learner, not a recognised provider
 * (RPL review), outside the currency window, credit not countable, a duplicate of another credential, beyond the RPL
 * cap. Everything else counts towards the total; rule groups then receive each counted credential at most once.
 */
import { courseLabel, isCourse, meetsLevel, meetsSubjects } from './read.js';
import { matchesAny, providerLabel, type TrustCheck } from './providers.js';
import { msg, sentence, type StackingMessage } from './sentences.js';
import type {
  CourseRef, CreditFacts, CreditSystem, CredentialStatus, CredentialUse, LevelBound, RuleGroup, RuleResult, StackingReport, StackingRules,
} from './types.js';

/** What the engine is handed per credential. */
export interface EngineEntry {
  use: CredentialUse;
  facts?: CreditFacts;
}

/** Above this many allocations the group allocation is greedy instead of exhaustive. */
export const ALLOCATION_SEARCH_LIMIT = 20_000;

function yearsBefore(date: string, years: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString().slice(0, 10);
}

const displayName = (e: EngineEntry): string => e.use.name ?? e.facts?.name ?? `Credential ${e.use.index + 1}`;

function setAside(e: EngineEntry, status: CredentialStatus, message: StackingMessage): void {
  e.use.status = status;
  e.use.message = message;
  e.use.text = sentence(message);
}

/** Canonical order: completed first, then position in the input. */
function byCompletion(a: EngineEntry, b: EngineEntry): number {
  const ca = a.facts?.completed ?? '9999-99-99';
  const cb = b.facts?.completed ?? '9999-99-99';
  return ca < cb ? -1 : ca > cb ? 1 : a.use.index - b.use.index;
}

function equivalenceClass(facts: CreditFacts, rules: StackingRules): number | undefined {
  const i = (rules.equivalences ?? []).findIndex((eq) => eq.courses.some((c) => isCourse(facts, c)));
  return i < 0 ? undefined : i;
}

/** Duplicates among the candidates: same achievement id, same issuer + course code, or one equivalence class. */
function removeDuplicates(candidates: EngineEntry[], rules: StackingRules): void {
  const parent = candidates.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i] as number)));
  const union = (a: number, b: number): void => {
    parent[find(a)] = find(b);
  };
  const keys = new Map<string, number>();
  candidates.forEach((e, i) => {
    const f = e.facts as CreditFacts;
    const ks: string[] = [];
    if (f.achievementId) ks.push(`a\u0000${f.achievementId}`);
    if (f.courseCode && f.issuerId) ks.push(`c\u0000${f.issuerId}\u0000${f.courseCode}`);
    const eq = equivalenceClass(f, rules);
    if (eq !== undefined) ks.push(`e\u0000${eq}`);
    for (const k of ks) {
      const seen = keys.get(k);
      if (seen === undefined) keys.set(k, i);
      else union(i, seen);
    }
  });
  const groups = new Map<number, EngineEntry[]>();
  candidates.forEach((e, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), e]);
  });
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    // Keep a home provider's credential, then the most recent award (a reissue or a retake), then the latest issue.
    const kept = [...members].sort((a, b) => {
      if (a.use.external !== b.use.external) return a.use.external ? 1 : -1;
      const ca = a.facts?.completed ?? '';
      const cb = b.facts?.completed ?? '';
      if (ca !== cb) return ca < cb ? 1 : -1;
      const va = a.facts?.validFrom ?? '';
      const vb = b.facts?.validFrom ?? '';
      if (va !== vb) return va < vb ? 1 : -1;
      return a.use.index - b.use.index;
    })[0] as EngineEntry;
    const k = kept.facts as CreditFacts;
    for (const e of members) {
      if (e === kept) continue;
      const f = e.facts as CreditFacts;
      const sameAchievement = !!f.achievementId && f.achievementId === k.achievementId;
      const sameCourse = !!f.courseCode && f.courseCode === k.courseCode && f.issuerId === k.issuerId;
      const reason = (sameAchievement || sameCourse) && f.issuerId === k.issuerId && f.completed !== undefined && f.completed === k.completed
        ? 'reissue'
        : sameAchievement ? 'same-achievement' : sameCourse ? 'same-course' : 'equivalent';
      e.use.duplicateOf = kept.use.index;
      setAside(e, 'duplicate', msg('credential.duplicate', { name: displayName(e), of: displayName(kept), ofIndex: kept.use.index, reason }));
    }
  }
}

function groupFits(f: CreditFacts, g: RuleGroup): boolean {
  if (!meetsLevel(f, g.level).ok || !meetsSubjects(f, g.subjects)) return false;
  return !g.courses || g.courses.some((c) => isCourse(f, c));
}

interface Allocation {
  byEntry: Map<EngineEntry, RuleGroup>;
  method: 'none' | 'direct' | 'search' | 'greedy';
  message: StackingMessage;
}

/**
 * Credits towards one group only. A credential that fits one group goes there; the ones that fit several are
 * allocated by trying every combination (bounded by ALLOCATION_SEARCH_LIMIT), keeping the one that meets the most
 * groups, then covers the most required credit, then comes first in rule order; past the bound, greedily.
 */
function allocate(counted: EngineEntry[], groups: RuleGroup[]): Allocation {
  const byEntry = new Map<EngineEntry, RuleGroup>();
  if (groups.length === 0) return { byEntry, method: 'none', message: msg('allocation.none', {}) };
  const choices: { e: EngineEntry; options: RuleGroup[] }[] = [];
  for (const e of [...counted].sort(byCompletion)) {
    const options = groups.filter((g) => groupFits(e.facts as CreditFacts, g));
    if (options.length === 1) byEntry.set(e, options[0] as RuleGroup);
    else if (options.length > 1) choices.push({ e, options });
  }
  if (choices.length === 0) return { byEntry, method: 'direct', message: msg('allocation.direct', { groups: groups.length }) };
  const base = new Map<RuleGroup, number>(groups.map((g) => [g, 0]));
  for (const [e, g] of byEntry) base.set(g, (base.get(g) ?? 0) + ((e.facts as CreditFacts).credits ?? 0));
  const score = (totals: Map<RuleGroup, number>): [number, number] => {
    let met = 0;
    let covered = 0;
    for (const g of groups) {
      const t = totals.get(g) ?? 0;
      if (t >= g.minCredits) met++;
      covered += Math.min(t, g.minCredits);
    }
    return [met, covered];
  };
  let combinations = 1;
  for (const c of choices) {
    combinations *= c.options.length;
    if (combinations > ALLOCATION_SEARCH_LIMIT) break;
  }
  if (combinations <= ALLOCATION_SEARCH_LIMIT) {
    let best: { pick: RuleGroup[]; score: [number, number] } | undefined;
    const pick: RuleGroup[] = [];
    const totals = new Map(base);
    const walk = (i: number): void => {
      if (i === choices.length) {
        const s = score(totals);
        if (!best || s[0] > best.score[0] || (s[0] === best.score[0] && s[1] > best.score[1])) best = { pick: [...pick], score: s };
        return;
      }
      const { e, options } = choices[i] as { e: EngineEntry; options: RuleGroup[] };
      const credits = (e.facts as CreditFacts).credits ?? 0;
      for (const g of options) {
        pick.push(g);
        totals.set(g, (totals.get(g) ?? 0) + credits);
        walk(i + 1);
        totals.set(g, (totals.get(g) ?? 0) - credits);
        pick.pop();
      }
    };
    walk(0);
    choices.forEach((c, i) => byEntry.set(c.e, (best as { pick: RuleGroup[] }).pick[i] as RuleGroup));
    return { byEntry, method: 'search', message: msg('allocation.search', { choices: choices.length, combinations }) };
  }
  const totals = new Map(base);
  for (const { e, options } of choices) {
    let chosen = options[0] as RuleGroup;
    for (const g of options) {
      const need = (x: RuleGroup): number => x.minCredits - (totals.get(x) ?? 0);
      if (need(g) > need(chosen)) chosen = g;
    }
    byEntry.set(e, chosen);
    totals.set(chosen, (totals.get(chosen) ?? 0) + ((e.facts as CreditFacts).credits ?? 0));
  }
  return { byEntry, method: 'greedy', message: msg('allocation.greedy', { choices: choices.length, combinations, limit: ALLOCATION_SEARCH_LIMIT }) };
}

function result(kind: RuleResult['kind'], id: string, role: RuleResult['role'], met: boolean, message: StackingMessage, credentials: number[], numbers: Partial<Pick<RuleResult, 'required' | 'counted' | 'missing'>> = {}): RuleResult {
  return { kind, id, role, met, ...numbers, credentials, message, text: sentence(message) };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export interface EngineContext {
  isTrusted?: TrustCheck;
}

/**
 * Runs the rules over the entries (whose `use.status` is already `not-valid` / `other-learner` / `unreadable` where
 * that applies) and returns every part of the report except the learner and presentation.
 */
export async function evaluate(entries: EngineEntry[], rules: StackingRules, ctx: EngineContext = {}): Promise<Omit<StackingReport, 'learner' | 'presentation' | 'sentences'>> {
  const system: CreditSystem = rules.creditSystem ?? 'UK';
  const live = (): EngineEntry[] => entries.filter((e) => e.use.status === 'counted');
  const notes: StackingReport['notes'] = [];

  // Home or external (for the RPL cap and the report).
  for (const e of live()) e.use.external = rules.homeProviders ? !(await matchesAny(e.facts?.issuerId, rules.homeProviders, ctx.isTrusted)) : false;

  const conditions: RuleResult[] = [];
  if (rules.recognisedProviders) {
    const aside: number[] = [];
    for (const e of live()) {
      if (await matchesAny(e.facts?.issuerId, rules.recognisedProviders, ctx.isTrusted)) continue;
      aside.push(e.use.index);
      setAside(e, 'rpl-review', msg('credential.rplReview', { name: displayName(e), issuer: e.facts?.issuerName ?? e.facts?.issuerId ?? 'the issuer' }));
    }
    const providers = rules.recognisedProviders.map(providerLabel);
    conditions.push(result('recognisedProviders', 'recognisedProviders', 'condition', aside.length === 0, msg('rule.recognisedProviders', { setAside: aside.length, providers }), aside));
  }
  if (rules.currency) {
    const earliest = yearsBefore(rules.currency.of, rules.currency.withinYears);
    const aside: number[] = [];
    for (const e of live()) {
      const done = e.facts?.completed;
      if (done !== undefined && done >= earliest) continue;
      aside.push(e.use.index);
      setAside(e, 'out-of-date', msg('credential.outOfDate', { name: displayName(e), ...(done ? { completed: done } : {}), earliest }));
    }
    conditions.push(result('currency', 'currency', 'condition', aside.length === 0,
      msg('rule.currency', { withinYears: rules.currency.withinYears, of: rules.currency.of, earliest, setAside: aside.length }), aside));
  }
  for (const e of live()) {
    if (e.facts?.credits !== undefined) continue;
    const stated = e.facts?.stated;
    setAside(e, 'credits-unknown', msg('credential.creditsUnknown', stated
      ? { name: displayName(e), reason: 'unit-unknown', value: stated.value, issuer: e.facts?.issuerName ?? e.facts?.issuerId ?? 'the issuer' }
      : { name: displayName(e), reason: 'none' }));
  }
  removeDuplicates(live(), rules);
  if (rules.rpl) {
    const cap = rules.rpl.maxCredits ?? (rules.rpl.maxShare ?? 1) * (rules.totalCredits ?? 0);
    let external = 0;
    const aside: number[] = [];
    for (const e of live().sort(byCompletion)) {
      if (!e.use.external) continue;
      const credits = e.facts?.credits ?? 0;
      if (external + credits <= cap + 1e-9) {
        external += credits;
        continue;
      }
      aside.push(e.use.index);
      setAside(e, 'over-rpl-cap', msg('credential.overRplCap', { name: displayName(e), credits, cap: round(cap), system }));
    }
    conditions.push(result('rpl', 'rpl', 'condition', aside.length === 0, msg('rule.rpl', { cap: round(cap), system, external: round(external), setAside: aside.length }), aside));
  }

  const counted = live().sort(byCompletion);
  const creditsOf = (e: EngineEntry): number => e.facts?.credits ?? 0;
  const sum = (es: EngineEntry[]): number => round(es.reduce((s, e) => s + creditsOf(e), 0));
  const requirements: RuleResult[] = [];
  const creditNumbers = (required: number, got: number) => ({ required, counted: got, missing: round(Math.max(0, required - got)) });

  let viaEqf = false;
  const noteLevel = (f: CreditFacts, bound: LevelBound | undefined): boolean => {
    const r = meetsLevel(f, bound);
    if (r.viaEqf && f.level?.framework !== bound?.framework) viaEqf = true;
    return r.ok;
  };

  if (rules.totalCredits !== undefined) {
    const got = sum(counted);
    const n = creditNumbers(rules.totalCredits, got);
    requirements.push(result('totalCredits', 'totalCredits', 'requirement', got >= rules.totalCredits - 1e-9, msg('rule.total', { ...n, system }), counted.map((e) => e.use.index), n));
  }
  (rules.minimums ?? []).forEach((m, i) => {
    const fit = counted.filter((e) => noteLevel(e.facts as CreditFacts, m.level) && meetsSubjects(e.facts as CreditFacts, m.subjects));
    const got = sum(fit);
    const n = creditNumbers(m.minCredits, got);
    requirements.push(result('minimum', m.id ?? `minimums[${i}]`, 'requirement', got >= m.minCredits - 1e-9,
      msg('rule.minimum', { ...n, system, ...(m.level ? { level: m.level } : {}), ...(m.subjects ? { subjects: m.subjects } : {}) }), fit.map((e) => e.use.index), n));
  });
  const groups = rules.groups ?? [];
  const allocation = allocate(counted, groups);
  for (const g of groups) {
    for (const e of counted) if (allocation.byEntry.has(e)) noteLevel(e.facts as CreditFacts, g.level);
    const fit = counted.filter((e) => allocation.byEntry.get(e) === g);
    const got = sum(fit);
    const n = creditNumbers(g.minCredits, got);
    requirements.push(result('group', g.id, 'requirement', got >= g.minCredits - 1e-9,
      msg('rule.group', { ...n, system, title: g.title ?? g.id, ...(g.level ? { level: g.level } : {}), ...(g.subjects ? { subjects: g.subjects } : {}) }), fit.map((e) => e.use.index), n));
  }
  for (const [e, g] of allocation.byEntry) e.use.group = g.id;
  (rules.requiredCourses ?? []).forEach((ref: CourseRef, i) => {
    const eq = (rules.equivalences ?? []).find((cls) => cls.courses.some((c) => sameRef(c, ref)));
    const refs = eq ? eq.courses : [ref];
    const found = counted.find((e) => refs.some((r) => isCourse(e.facts as CreditFacts, r)));
    requirements.push(result('requiredCourse', `requiredCourses[${i}]`, 'requirement', !!found,
      msg('rule.requiredCourse', { course: courseLabel(ref), ...(found ? { found: displayName(found) } : {}) }), found ? [found.use.index] : []));
  });

  const optional: RuleResult[] = (rules.bundles ?? []).map((b) => {
    const fit = counted.filter((e) => {
      const f = e.facts as CreditFacts;
      return (b.minModuleCredits === undefined || creditsOf(e) >= b.minModuleCredits - 1e-9) && noteLevel(f, b.level) && meetsSubjects(f, b.subjects);
    });
    const got = sum(fit);
    const met = fit.length > 0 && got >= (b.minCredits ?? 0) - 1e-9;
    return result('bundle', b.id, 'optional', met, msg('rule.bundle', {
      title: b.title, met, modules: fit.length, credits: got, system,
      ...(b.minModuleCredits !== undefined ? { minModuleCredits: b.minModuleCredits } : {}),
      ...(b.minCredits !== undefined ? { minCredits: b.minCredits } : {}),
    }), fit.map((e) => e.use.index), b.minCredits !== undefined ? creditNumbers(b.minCredits, got) : { counted: got });
  });

  // Counted credentials: their sentence, now that the group is known.
  for (const e of counted) {
    const f = e.facts as CreditFacts;
    const g = allocation.byEntry.get(e);
    e.use.message = msg('credential.counted', {
      name: displayName(e), credits: creditsOf(e), system,
      ...(g ? { group: g.title ?? g.id } : {}),
      ...(f.converted && f.stated && f.stated.system !== 'unknown' ? { converted: { value: f.stated.value, system: f.stated.system } } : {}),
      ...(f.mapped && f.stated ? { mapped: { value: f.stated.value, issuer: f.issuerName ?? f.issuerId ?? 'the issuer' } } : {}),
    });
    e.use.text = sentence(e.use.message);
  }

  if (viaEqf) {
    const frameworks = new Set<string>();
    for (const e of counted) if (e.facts?.level) frameworks.add(e.facts.level.framework);
    for (const bound of [...(rules.minimums ?? []), ...groups, ...(rules.bundles ?? [])].map((r) => r.level)) if (bound) frameworks.add(bound.framework);
    const m = msg('note.eqfComparison', { frameworks: [...frameworks].sort() });
    notes.push({ message: m, text: sentence(m) });
  }
  const converted = counted.filter((e) => e.facts?.converted).length;
  if (converted > 0) {
    const m = msg('note.converted', { count: converted, system });
    notes.push({ message: m, text: sentence(m) });
  }

  const home = sum(counted.filter((e) => !e.use.external));
  const external = sum(counted.filter((e) => e.use.external));
  return {
    met: requirements.every((r) => r.met),
    rules: {
      ...(rules.id ? { id: rules.id } : {}), title: rules.title, creditSystem: system,
      ...(rules.totalCredits !== undefined ? { totalCredits: rules.totalCredits } : {}), ...(rules.parent ? { parent: rules.parent } : {}),
    },
    totals: { counted: round(home + external), home, external, system, converted: converted > 0 },
    requirements: [...requirements, ...conditions, ...optional],
    credentials: entries.map((e) => e.use),
    allocation: { method: allocation.method, message: allocation.message, text: sentence(allocation.message) },
    notes,
  };
}

function sameRef(a: CourseRef, b: CourseRef): boolean {
  return (a.achievementId !== undefined && a.achievementId === b.achievementId) || (a.code !== undefined && a.code === b.code && (a.issuer ?? '') === (b.issuer ?? ''));
}

