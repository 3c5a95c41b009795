/**
 * Same learner (internal to stacking): does each credential's subject belong to the learner? Precedence: a subject
 * DID must be one of the learner's DIDs (a different DID is a mismatch even when the names agree: two identities are
 * never merged); a hashed e-mail or student id matches by OB's IdentityHash with the credential's salt; the
 * unhashed name (identityType "name") matches after normalising case, spacing and Unicode form.
 */
import { identityHash } from '../credential/identity-hash.js';
import type { LearnerMatch } from './types.js';

export interface LearnerRef {
  dids: Set<string>;
  name?: string;
  email?: string;
  studentId?: string;
  /** A presentation was given but its signature did not prove who presented it. */
  presentationUnverified: boolean;
  fromPresentation: boolean;
}

export interface SubjectIdentity {
  id?: string;
  name?: string;
  hashed: { type: string; hash: string; salt: string }[];
}

type Loose = Record<string, unknown>;

export const normaliseName = (s: string): string => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en-GB');

/** The subject's identifiers as the credential states them. */
export function subjectIdentity(credential: Record<string, unknown>): SubjectIdentity {
  const raw = credential['credentialSubject'];
  const subject = (Array.isArray(raw) ? raw[0] : raw) as Loose | undefined;
  const out: SubjectIdentity = { hashed: [] };
  if (subject && typeof subject.id === 'string') out.id = subject.id;
  const ids = Array.isArray(subject?.identifier) ? (subject?.identifier as unknown[]) : subject?.identifier ? [subject.identifier] : [];
  for (const entry of ids) {
    const e = entry as Loose | null;
    if (!e || typeof e !== 'object' || typeof e.identityHash !== 'string') continue;
    if (e.hashed === true) {
      out.hashed.push({ type: String(e.identityType), hash: e.identityHash, salt: typeof e.salt === 'string' ? e.salt : '' });
    } else if (e.identityType === 'name' && out.name === undefined) {
      out.name = e.identityHash;
    }
  }
  return out;
}

function hashedMatch(identity: SubjectIdentity, types: string[], value: string | undefined, variants: (v: string) => string[]): boolean {
  if (value === undefined) return false;
  return identity.hashed.some((h) => types.includes(h.type) && variants(value).some((v) => identityHash(v, h.salt) === h.hash));
}

/** How (or whether) the subject is the learner, and what was found when not. */
export function matchLearner(identity: SubjectIdentity, ref: LearnerRef): { match: LearnerMatch; found?: string; expected?: string; reason?: 'did' | 'name' | 'no-identity' | 'presenter-unverified' } {
  if (identity.id !== undefined && ref.dids.size > 0) {
    if (ref.dids.has(identity.id)) return { match: ref.fromPresentation ? 'presenter' : 'did' };
    return { match: 'mismatch', reason: 'did', found: identity.id, expected: [...ref.dids].join(' or ') };
  }
  if (identity.id !== undefined && ref.presentationUnverified) {
    return { match: 'mismatch', reason: 'presenter-unverified', found: identity.id };
  }
  if (hashedMatch(identity, ['emailAddress'], ref.email, (v) => [...new Set([v.trim().toLowerCase(), v])])) return { match: 'identifier' };
  if (hashedMatch(identity, ['sisSourcedId', 'studentId'], ref.studentId, (v) => [v, v.trim()])) return { match: 'identifier' };
  if (identity.name !== undefined && ref.name !== undefined) {
    if (normaliseName(identity.name) === normaliseName(ref.name)) return { match: 'name' };
    return { match: 'mismatch', reason: 'name', found: identity.name, expected: ref.name };
  }
  return { match: 'mismatch', reason: 'no-identity' };
}
