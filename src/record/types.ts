/**
 * The completion record (one per completed micro-credential, sent by a provider's student record
 * system) and the issuer profile (the awarding body, read from a profile file).
 *
 * The JSON Schemas `src/schemas/completion-record.schema.json` and
 * `src/schemas/issuer-profile.schema.json` describe the same shapes; `validateRecord` /
 * `validateProfile` enforce both plus the cross-field rules.
 */

/** UK level frameworks a record may state its level in. */
export type LevelFramework = 'FHEQ' | 'SCQF' | 'RQF' | 'CQFW';

/** RQF/CQFW entry levels are strings; every other level is an integer. */
export type FrameworkLevel = number | 'entry1' | 'entry2' | 'entry3';

/** The three Annex I options for supervision and identity verification (element 13). */
export type SupervisionOption =
  | 'unsupervised-no-id-verification'
  | 'supervised-no-id-verification'
  | 'supervised-with-id-verification';

export type ParticipationMode = 'online' | 'on-site' | 'blended';

export interface Learner {
  /** Full name as it should appear on the credential (stored unhashed, identityType "name"). */
  fullName: string;
  /** Email address; hashed with a salt in the credential. */
  email?: string;
  /** The learner's own DID (`did:key:` or `did:web:`); becomes `credentialSubject.id`. */
  did?: string;
  /** The provider's student id (SIS id); hashed with a salt in the credential. */
  studentId?: string;
}

export interface LearningOutcome {
  text: string;
  /** ESCO skill URI, `http://data.europa.eu/esco/skill/<uuid>`. */
  escoSkill?: string;
}

/** Credits; after validation both are present (the missing one derived, 2 UK = 1 ECTS). */
export interface Credits {
  uk?: number;
  ects?: number;
}

export interface Level {
  framework: LevelFramework;
  level: FrameworkLevel;
  /** EQF level 1–8; derived from the UK referencing when known (DIGEST §12). */
  eqf?: number;
}

export interface Participation {
  mode: ParticipationMode;
  /** True when (part of) the learning activity is live/timetabled. */
  synchronous: boolean;
  description?: string;
}

export interface Assessment {
  /** Type of assessment in plain words, e.g. "Coursework: data analysis project and report". */
  type: string;
  description?: string;
}

export interface Supervision {
  option: SupervisionOption;
  /** For supervised assessment: where the supervision took place. */
  setting?: 'online' | 'on-site';
}

export interface SubjectCode {
  code: string;
  /** The official term, e.g. "computer science". */
  term: string;
}

export interface Subjects {
  /** HECoS: 6-digit codes. The first one is `achievement.fieldOfStudy`. */
  hecos?: SubjectCode[];
  /** CAH: `CAHnn`, `CAHnn-nn` or `CAHnn-nn-nn`. */
  cah?: SubjectCode[];
}

export interface PsrbRecognition {
  /** The professional, statutory or regulatory body. */
  body: string;
  /** What the body recognises (accreditation, exemption, CPD points…). */
  recognition: string;
  url?: string;
}

export interface QualityAssurance {
  /** Type of quality assurance, e.g. "Internal approval and annual review under the QAA Quality Code". */
  type: string;
  /** The body that carried it out (Annex I asks only for the type; absent: the awarding body's own procedures). */
  body?: string;
  url?: string;
}

/** The notional workload of a course (Annex I element 7: ECTS "wherever possible", otherwise the workload). */
export interface Workload {
  hours: number;
}

export interface ParentCourse {
  title: string;
  code?: string;
  credits?: Credits;
  url?: string;
}

export type Stackability =
  | { type: 'stand-alone' }
  | { type: 'integrated'; parent: ParentCourse };

export interface FurtherInformation {
  text: string;
  url?: string;
}

/** A different awarding body than the issuer (e.g. a partner university that awards, we issue). */
export interface AwardingBody {
  name: string;
  url: string;
  /** Country name, e.g. "United Kingdom". */
  country: string;
  /** ISO 3166-1 alpha-2, e.g. "GB". */
  countryCode: string;
  /** Region, e.g. "England", "Scotland", "Wales", "Northern Ireland". */
  region?: string;
  /** UK Provider Reference Number: 8 digits starting with 1. */
  ukprn?: string;
}

export interface Course {
  code: string;
  /**
   * The version of the course in the issuer's catalogue this record was completed from (`achievement.version` in
   * the credential). Set by the catalogue; a record naming a version asks for that version instead of the current one.
   */
  version?: number;
  title: string;
  /** Optional (Annex I does not ask for one); the credential's achievement then describes the course by its title. */
  description?: string;
  /** Public course page; also used as `criteria.id`. */
  url?: string;
  learningOutcomes: LearningOutcome[];
  /** Credits; a course without credit (a CPD masterclass) gives its `workload` in hours instead. */
  credits?: Credits;
  /** Notional workload in hours: required when the course carries no credit, optional beside credits. */
  workload?: Workload;
  level: Level;
  participation: Participation;
  assessment: Assessment;
  supervision?: Supervision;
  subjects?: Subjects;
  psrb?: PsrbRecognition[];
  qualityAssurance: QualityAssurance[];
  prerequisites?: string;
  stackability?: Stackability;
  /** Language of instruction/assessment: the BCP 47 subset OB allows (`en`, `en-GB`, `cy-GB`…). */
  language?: string;
  furtherInformation?: FurtherInformation;
  awardingBody?: AwardingBody;
}

export type Grade =
  | { kind: 'letter'; value: string; scale?: string[] }
  | { kind: 'percentage'; value: number }
  | { kind: 'pass-fail'; value: 'pass' }
  | { kind: 'other'; value: string; scale: { name: string; values?: string[]; min?: string; max?: string } };

export interface Assessor {
  name: string;
  url: string;
}

export interface CourseResult {
  grade?: Grade;
  /** Numeric mark in percent (0–100), alongside a letter or other grade. */
  mark?: number;
  /** `YYYY-MM-DD`. */
  completionDate: string;
  activityStartDate?: string;
  activityEndDate?: string;
  /** Who assessed, when not the awarding body. */
  assessor?: Assessor;
}

export interface CompletionRecord {
  /** The provider's unique id for this completion (the idempotency key). */
  recordId: string;
  learner: Learner;
  course: Course;
  result: CourseResult;
}

/** The awarding body, from the issuer profile file: the same fields as an awarding body named in a record, and more. */
export interface IssuerProfile extends AwardingBody {
  /** Logo URL (https or data: URI). */
  logo?: string;
  email?: string;
  description?: string;
}
