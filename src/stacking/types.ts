/**
 * Types of the stacking rules (the parent course's rules, `src/schemas/stacking-rules.schema.json`) and of the
 * stacking report.
 */
import type { FrameworkLevel, LevelFramework } from '../record/types.js';
import type { StackingMessage } from './sentences.js';

/** The credit system the rules are written in and totals are reported in. 2 UK credits = 1 ECTS credit. */
export type CreditSystem = 'UK' | 'ECTS';

/** A level framework a rule may name: a UK one, or EQF for credentials from other countries. */
export type RulesFramework = LevelFramework | 'EQF';

/** "At or above this level in this framework". Across frameworks levels are compared through EQF. */
export interface LevelBound {
  framework: RulesFramework;
  atLeast: FrameworkLevel;
}

/** Matches a credential with any of these subjects: HECoS codes exactly, CAH codes as prefixes (`CAH11` covers `CAH11-01-01`). */
export interface SubjectFilter {
  hecos?: string[];
  cah?: string[];
}

/** A course: its achievement id, or its course code (`achievement.humanCode`), optionally at one issuer. */
export interface CourseRef {
  code?: string;
  issuer?: string;
  achievementId?: string;
  title?: string;
}

/** A provider: by DID (issuer id), by domain (did:web host or https issuer id host, subdomains included) or by trust list. */
export interface ProviderSelector {
  did?: string;
  domain?: string;
  trustList?: string;
}

export interface CreditMinimum {
  id?: string;
  minCredits: number;
  level?: LevelBound;
  subjects?: SubjectFilter;
}

/** A rule group: credits counted towards one group only. */
export interface RuleGroup {
  id: string;
  title?: string;
  minCredits: number;
  level?: LevelBound;
  subjects?: SubjectFilter;
  courses?: CourseRef[];
}

/** An optional bundle: reported, never decides whether the rules are met. */
export interface Bundle {
  id: string;
  title: string;
  minModuleCredits?: number;
  minCredits?: number;
  level?: LevelBound;
  subjects?: SubjectFilter;
}

export interface StackingRules {
  id?: string;
  title: string;
  /** The parent award (used as the parent achievement of a CLR transcript). */
  parent?: { id?: string; name: string; code?: string; url?: string; description?: string };
  /** Default `UK`. */
  creditSystem?: CreditSystem;
  totalCredits?: number;
  minimums?: CreditMinimum[];
  groups?: RuleGroup[];
  requiredCourses?: CourseRef[];
  /** The providers of the parent course itself; everyone else's credit is prior learning (RPL). */
  homeProviders?: ProviderSelector[];
  /** The most credit that may come from providers other than the home providers. */
  rpl?: { maxShare?: number; maxCredits?: number };
  /** Only credentials completed within `withinYears` before `of` (YYYY-MM-DD) count. */
  currency?: { withinYears: number; of: string };
  /** Only these providers' credentials count; others are listed for recognition-of-prior-learning review. */
  recognisedProviders?: ProviderSelector[];
  /** Courses that are the same course at different providers: counted once. */
  equivalences?: { title?: string; courses: CourseRef[] }[];
  /** For credentials whose `creditsAvailable` has no unit: how to read them, per issuer. */
  creditMappings?: { issuer: string; system: CreditSystem; factor?: number }[];
  bundles?: Bundle[];
}

/** What the credential says about its credit, level and subjects, as read by the engine. */
export interface CreditFacts {
  /** Credits in the rules' system, or undefined when they cannot be counted. */
  credits?: number;
  /** The credit as the credential states it. */
  stated?: { value: number; system: CreditSystem | 'unknown'; source: 'alignment' | 'creditsAvailable' | 'creditsEarned' };
  /** True when the credit was converted between UK and ECTS (2 UK = 1 ECTS). */
  converted: boolean;
  /** True when a per-issuer mapping of the rules gave the unit. */
  mapped: boolean;
  level?: { framework: LevelFramework; level: FrameworkLevel; eqf?: number };
  eqf?: number;
  hecos: string[];
  cah: string[];
  achievementId?: string;
  courseCode?: string;
  name?: string;
  issuerId?: string;
  issuerName?: string;
  /** When the credential was completed (awardedDate, else activityEndDate, else validFrom), YYYY-MM-DD. */
  completed?: string;
  validFrom?: string;
}

export type CredentialStatus =
  | 'counted'
  | 'not-valid'
  | 'other-learner'
  | 'duplicate'
  | 'rpl-review'
  | 'out-of-date'
  | 'over-rpl-cap'
  | 'credits-unknown'
  | 'unreadable';

export type LearnerMatch = 'presenter' | 'did' | 'identifier' | 'name' | 'mismatch' | 'unknown';

/** How one credential of the set was used. */
export interface CredentialUse {
  /** Position in the input (0-based). */
  index: number;
  id?: string;
  name?: string;
  issuer?: { id?: string; name?: string };
  format?: 'di' | 'jwt';
  verified: boolean;
  /** The failed or unknown checks, in the verifier's words. */
  problems: string[];
  learner: LearnerMatch;
  facts?: CreditFacts;
  status: CredentialStatus;
  /** For a duplicate: the index of the credential counted instead. */
  duplicateOf?: number;
  /** From a provider other than the home providers. */
  external: boolean;
  /** The rule group its credits were allocated to, if any. */
  group?: string;
  /** The credential as read (for a JWT: the decoded credential); what a CLR transcript embeds. */
  credential?: Record<string, unknown>;
  message: StackingMessage;
  text: string;
}

export type RuleKind =
  | 'totalCredits'
  | 'minimum'
  | 'group'
  | 'requiredCourse'
  | 'rpl'
  | 'currency'
  | 'recognisedProviders'
  | 'bundle';

/**
 * - `requirement`: the rules are met only when every requirement is met;
 * - `condition`: decides what counts; "not met" means some credentials were set aside (their effect shows in the
 *   requirements);
 * - `optional`: an optional bundle, reported only.
 */
export type RuleRole = 'requirement' | 'condition' | 'optional';

export interface RuleResult {
  kind: RuleKind;
  id: string;
  role: RuleRole;
  met: boolean;
  required?: number;
  counted?: number;
  missing?: number;
  /** Indexes of the credentials that counted towards (or, for conditions, were set aside by) this rule. */
  credentials: number[];
  message: StackingMessage;
  text: string;
}

export interface StackingReport {
  met: boolean;
  rules: { id?: string; title: string; creditSystem: CreditSystem; totalCredits?: number; parent?: StackingRules['parent'] };
  learner: { did?: string; name?: string; source: 'presentation' | 'caller' | 'first-credential' | 'none' };
  presentation?: { verified: boolean; holder?: string; presenters: string[]; message: string };
  totals: { counted: number; home: number; external: number; system: CreditSystem; converted: boolean };
  requirements: RuleResult[];
  credentials: CredentialUse[];
  allocation: { method: 'none' | 'direct' | 'search' | 'greedy'; message: StackingMessage; text: string };
  notes: { message: StackingMessage; text: string }[];
  /** The whole report in plain sentences, verdict first. */
  sentences: string[];
}
