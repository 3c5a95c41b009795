/**
 * Open Badges 3.0 data model types (the subset microcred emits and reads), named as the
 * specification names its classes. Every class is extensible in OB, hence the index signatures
 * on the open ones.
 */

export interface Image {
  id: string;
  type: 'Image';
  caption?: string;
}

export interface Address {
  type: string[];
  addressCountry?: string;
  addressCountryCode?: string;
  addressRegion?: string;
  addressLocality?: string;
  streetAddress?: string;
  postalCode?: string;
}

export interface IdentifierEntry {
  type: 'IdentifierEntry';
  identifier: string;
  identifierType: string;
}

/** An issuer, creator, source or endorser. */
export interface Profile {
  id: string;
  type: string[];
  name?: string;
  url?: string;
  email?: string;
  description?: string;
  image?: Image;
  address?: Address;
  otherIdentifier?: IdentifierEntry[];
  [extra: string]: unknown;
}

export interface Alignment {
  type: string[];
  targetName: string;
  targetUrl: string;
  targetCode?: string;
  targetDescription?: string;
  targetFramework?: string;
  /** AlignmentTargetType or an `ext:` value. */
  targetType?: string;
}

export interface Criteria {
  id?: string;
  narrative?: string;
}

export type ResultType =
  | 'GradePointAverage' | 'LetterGrade' | 'Percent' | 'PerformanceLevel' | 'PredictedScore' | 'RawScore'
  | 'Result' | 'RubricCriterion' | 'RubricCriterionLevel' | 'RubricScore' | 'ScaledScore' | 'Status'
  | `ext:${string}`;

export type ResultStatusType = 'Completed' | 'Enrolled' | 'Failed' | 'InProgress' | 'OnHold' | 'Provisional' | 'Withdrew';

export interface ResultDescription {
  id: string;
  type: string[];
  name: string;
  resultType: ResultType;
  /** Ordered low to high; never with repeated values (it is an RDF list). */
  allowedValue?: string[];
  requiredValue?: string;
  valueMin?: string;
  valueMax?: string;
}

export interface Result {
  type: string[];
  resultDescription?: string;
  value?: string;
  status?: ResultStatusType;
}

export interface Achievement {
  id: string;
  type: string[];
  name: string;
  description: string;
  criteria: Criteria;
  achievementType?: string;
  alignment?: Alignment[];
  creator?: Profile;
  creditsAvailable?: number;
  fieldOfStudy?: string;
  humanCode?: string;
  version?: string;
  image?: Image;
  inLanguage?: string;
  resultDescription?: ResultDescription[];
  [extra: string]: unknown;
}

export interface IdentityObject {
  type: 'IdentityObject';
  hashed: boolean;
  identityHash: string;
  identityType: string;
  salt?: string;
}

export interface AchievementSubject {
  id?: string;
  type: string[];
  achievement: Achievement;
  identifier?: IdentityObject[];
  result?: Result[];
  creditsEarned?: number;
  activityStartDate?: string;
  activityEndDate?: string;
  source?: Profile;
  [extra: string]: unknown;
}

export interface CredentialSchema {
  id: string;
  type: string;
}

/** An (unsigned or signed) OB 3.0 AchievementCredential, typed `OpenBadgeCredential`. */
export interface OpenBadgeCredential {
  '@context': string[];
  id: string;
  type: string[];
  name?: string;
  description?: string;
  issuer: Profile;
  validFrom: string;
  validUntil?: string;
  awardedDate?: string;
  credentialSubject: AchievementSubject;
  credentialSchema?: CredentialSchema[];
  credentialStatus?: Record<string, unknown>;
  proof?: Record<string, unknown>[];
  [extra: string]: unknown;
}
