/**
 * `checkStacking`: one set of credentials (a list, or a holder's verifiable presentation) against one parent
 * course's rules, giving one report. Each credential goes through the normal verifier with the caller's
 * collaborators; only valid credentials of the same learner are read for credit. HTTP routes, the CLI and pages are
 * thin adapters over this function.
 */
import { createDidResolver, type DidResolver } from '../did/resolve.js';
import type { DocumentLoader } from '../lib/document-loader.js';
import type { GuardedFetch } from '../lib/guarded-fetch.js';
import type { Cryptosuite } from '../proof/vendor.js';
import { presentedCredentials, verifyPresentationProof } from '../presentation/verify-presentation.js';
import { verify, type VerificationReport, type VerifyOptions } from '../verify/verify.js';
import { evaluate, type EngineEntry } from './engine.js';
import { matchLearner, subjectIdentity, type LearnerRef } from './learner.js';
import type { TrustCheck } from './providers.js';
import { readCreditFacts } from './read.js';
import { assertStackingRules } from './rules.js';
import { msg, sentence } from './sentences.js';
import type { CredentialUse, StackingReport, StackingRules } from './types.js';

export type { TrustCheck } from './providers.js';

/** The set to check: credentials (objects, JSON text or compact JWTs), or a presentation, or both. */
export interface StackingInput {
  credentials?: unknown[];
  /** A verifiable presentation (object or JSON text) signed by the holder. Its credentials join the set. */
  presentation?: Record<string, unknown> | string;
}

export interface CheckStackingOptions {
  /** The learner, when the caller knows who it is: DID, full name, and e-mail / student id to match hashed identifiers. */
  learner?: { did?: string; name?: string; email?: string; studentId?: string };
  /** The challenge (and domain) issued to the wallet, checked on the presentation's proof. */
  challenge?: string;
  domain?: string;
  /** Trust lists for `trustList` provider selectors; without it those selectors match nobody. */
  isTrusted?: TrustCheck;
  /**
   * Reads the credential baked into an image (PNG/SVG bytes). Until an unbaker is plugged in, images are listed as
   * unreadable; pass the extracted credential instead.
   */
  unbake?: (image: Uint8Array) => Promise<string | Record<string, unknown>>;
  /** Collaborators of the verifier (document loader, DID resolver, guarded fetch, clock, trust configuration…). */
  verifyOptions?: VerifyOptions;
  documentLoader?: DocumentLoader;
  resolver?: DidResolver;
  fetch?: GuardedFetch;
  now?: Date | string;
  cryptosuite?: Cryptosuite;
  /** The credential verifier; default `verify` (a service may pass its own, e.g. one that knows its suspensions). */
  verifyCredential?: (input: string | object, options: VerifyOptions) => Promise<VerificationReport>;
}

function problemsOf(report: VerificationReport): string[] {
  return report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown').map((c) => c.message);
}

function nameOf(credential: Record<string, unknown> | undefined): string | undefined {
  if (!credential) return undefined;
  const subject = Array.isArray(credential.credentialSubject) ? credential.credentialSubject[0] : credential.credentialSubject;
  const achievementName = (subject as { achievement?: { name?: unknown } } | undefined)?.achievement?.name;
  if (typeof achievementName === 'string' && achievementName.trim()) return achievementName;
  return typeof credential.name === 'string' ? credential.name : undefined;
}

/**
 * Checks a learner's set of credentials against a parent course's rules. Never throws for bad credentials (they are
 * listed with the reason); throws `RULES_INVALID` for rules that do not validate.
 *
 * @example
 * ```ts
 * const report = await checkStacking({ presentation: vp }, rules, { challenge, fetch });
 * console.log(report.met, report.sentences.join('\n'));
 * // "Not met: at least 60 UK credits at FHEQ 6 or above in CAH17; 40 UK credits counted, so it needs 20 more credits at FHEQ 6 in CAH17."
 * ```
 */
export async function checkStacking(input: StackingInput, rulesIn: StackingRules | unknown, options: CheckStackingOptions = {}): Promise<StackingReport> {
  const rules = assertStackingRules(rulesIn);
  const fetch = options.fetch ?? options.verifyOptions?.fetch;
  // One resolver for the whole set (and the presentation), so each issuer's DID document is fetched once.
  const resolver = options.resolver ?? options.verifyOptions?.resolver ?? (fetch ? createDidResolver({ fetch }) : undefined);
  const verifyOptions: VerifyOptions = {
    ...options.verifyOptions,
    ...(options.documentLoader ? { documentLoader: options.documentLoader } : {}),
    ...(resolver ? { resolver } : {}),
    ...(fetch ? { fetch } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
    ...(options.cryptosuite ? { cryptosuite: options.cryptosuite } : {}),
  };
  const verifyOne = options.verifyCredential ?? verify;

  // The items of the set, in order: listed credentials, then the presentation's.
  let presentation: StackingReport['presentation'];
  const items: unknown[] = [...(input.credentials ?? [])];
  const notes: StackingReport['notes'] = [];
  if (input.presentation !== undefined) {
    let vp: Record<string, unknown> | undefined;
    try {
      const parsed = typeof input.presentation === 'string' ? JSON.parse(input.presentation) : input.presentation;
      vp = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      vp = undefined;
    }
    if (!vp) {
      presentation = { verified: false, presenters: [], message: 'The presentation could not be read (it is not a JSON object).' };
    } else {
      const r = await verifyPresentationProof(vp, {
        ...(options.challenge !== undefined ? { challenge: options.challenge } : {}),
        ...(options.domain !== undefined ? { domain: options.domain } : {}),
        ...(verifyOptions.resolver ? { resolver: verifyOptions.resolver } : {}),
        ...(verifyOptions.fetch ? { fetch: verifyOptions.fetch } : {}),
        ...(verifyOptions.documentLoader ? { documentLoader: verifyOptions.documentLoader } : {}),
        ...(verifyOptions.cryptosuite ? { cryptosuite: verifyOptions.cryptosuite } : {}),
      });
      presentation = { verified: r.verified, ...(r.holder ? { holder: r.holder } : {}), presenters: r.presenters, message: r.message };
      if (r.verified && !r.challengeChecked) {
        const m = msg('note.challengeNotChecked', {});
        notes.push({ message: m, text: sentence(m) });
      }
      items.push(...presentedCredentials(vp));
    }
  }

  // Verify each item with the normal verifier.
  const entries: (EngineEntry & { identity?: ReturnType<typeof subjectIdentity> })[] = [];
  for (const [index, raw] of items.entries()) {
    let item = raw;
    if (item instanceof Uint8Array) {
      if (!options.unbake) {
        const m = msg('credential.unreadable', { problems: ['It is an image (a baked badge); extract the credential from it first.'] });
        entries.push({ use: { index, verified: false, problems: [], learner: 'unknown', status: 'unreadable', external: false, message: m, text: sentence(m) } });
        continue;
      }
      try {
        item = await options.unbake(item);
      } catch (e) {
        const m = msg('credential.unreadable', { problems: [`No credential could be extracted from the image: ${(e as Error).message}`] });
        entries.push({ use: { index, verified: false, problems: [], learner: 'unknown', status: 'unreadable', external: false, message: m, text: sentence(m) } });
        continue;
      }
    }
    const report = await verifyOne(item as string | object, verifyOptions);
    const credential = report.credential;
    const problems = problemsOf(report);
    const name = nameOf(credential);
    const issuer = credential?.issuer;
    const issuerInfo = typeof issuer === 'string' ? { id: issuer } : issuer && typeof issuer === 'object'
      ? { ...(typeof (issuer as { id?: unknown }).id === 'string' ? { id: (issuer as { id: string }).id } : {}), ...(typeof (issuer as { name?: unknown }).name === 'string' ? { name: (issuer as { name: string }).name } : {}) }
      : undefined;
    const use: CredentialUse = {
      index,
      ...(typeof credential?.id === 'string' ? { id: credential.id } : {}),
      ...(name ? { name } : {}),
      ...(issuerInfo ? { issuer: issuerInfo } : {}),
      ...(report.format ? { format: report.format } : {}),
      verified: report.verified,
      problems,
      learner: 'unknown',
      status: 'counted',
      external: false,
      ...(credential ? { credential } : {}),
      message: msg('credential.unreadable', { problems }),
      text: '',
    };
    if (!credential) {
      use.status = 'unreadable';
      use.message = msg('credential.unreadable', { problems });
    } else if (!report.verified) {
      use.status = 'not-valid';
      use.message = msg('credential.notValid', { name: name ?? `Credential ${index + 1}`, problems });
    }
    use.text = sentence(use.message);
    if (credential && report.verified) {
      const facts = readCreditFacts(credential, rules);
      use.facts = facts;
      entries.push({ use, facts, identity: subjectIdentity(credential) });
    } else {
      entries.push({ use });
    }
  }

  // Who the learner is: the presenter, else the caller's learner, else the learner of the first valid credential.
  const valid = entries.filter((e) => e.use.status === 'counted');
  const ref: LearnerRef = {
    dids: new Set<string>(),
    presentationUnverified: presentation !== undefined && !presentation.verified,
    fromPresentation: false,
    ...(options.learner?.name ? { name: options.learner.name } : {}),
    ...(options.learner?.email ? { email: options.learner.email } : {}),
    ...(options.learner?.studentId ? { studentId: options.learner.studentId } : {}),
  };
  let source: StackingReport['learner']['source'] = options.learner ? 'caller' : 'none';
  if (presentation?.verified) {
    for (const d of presentation.presenters) ref.dids.add(d);
    ref.fromPresentation = true;
    source = 'presentation';
  }
  if (options.learner?.did) ref.dids.add(options.learner.did);
  if (ref.name === undefined && ref.dids.size > 0) {
    // The learner's name as the credentials awarded to the learner's DID give it, for credentials without a DID.
    const named = valid.find((e) => e.identity?.id !== undefined && ref.dids.has(e.identity.id) && e.identity.name !== undefined);
    if (named?.identity?.name) ref.name = named.identity.name;
  }
  if (!options.learner && !presentation) {
    const firstValid = valid[0]?.identity;
    if (firstValid && (firstValid.id !== undefined || firstValid.name !== undefined)) {
      if (firstValid.id !== undefined) ref.dids.add(firstValid.id);
      if (firstValid.name !== undefined) ref.name = firstValid.name;
      source = 'first-credential';
      const m = msg('note.learnerFromFirst', { name: firstValid.name ?? firstValid.id ?? '' });
      notes.push({ message: m, text: sentence(m) });
    } else if (valid.length > 0) {
      const m = msg('note.learnerUnknown', {});
      notes.push({ message: m, text: sentence(m) });
    }
  }
  for (const e of valid) {
    const r = matchLearner(e.identity as ReturnType<typeof subjectIdentity>, ref);
    e.use.learner = r.match;
    if (r.match === 'mismatch') {
      e.use.status = 'other-learner';
      e.use.message = msg('credential.otherLearner', {
        name: e.use.name ?? `Credential ${e.use.index + 1}`, reason: r.reason ?? 'no-identity',
        ...(r.found !== undefined ? { found: r.found } : {}), ...(r.expected !== undefined ? { expected: r.expected } : {}),
      });
      e.use.text = sentence(e.use.message);
    }
  }

  const evaluated = await evaluate(entries, rules, options.isTrusted ? { isTrusted: options.isTrusted } : {});
  const learner: StackingReport['learner'] = {
    ...([...ref.dids][0] !== undefined ? { did: [...ref.dids][0] as string } : {}),
    ...(ref.name !== undefined ? { name: ref.name } : {}),
    source,
  };
  const unmet = evaluated.requirements.filter((r) => r.role === 'requirement' && !r.met).length;
  const verdict = evaluated.met ? msg('verdict.met', { title: rules.title }) : msg('verdict.notMet', { title: rules.title, unmet });
  const allNotes = [...notes, ...evaluated.notes];
  const report: StackingReport = {
    ...evaluated,
    learner,
    ...(presentation ? { presentation } : {}),
    notes: allNotes,
    sentences: [
      sentence(verdict),
      ...(presentation ? [presentation.message] : []),
      ...evaluated.requirements.map((r) => r.text),
      ...evaluated.credentials.map((c) => c.text),
      ...((rules.groups ?? []).length > 0 ? [evaluated.allocation.text] : []),
      ...allNotes.map((n) => n.text),
    ],
  };
  return report;
}
