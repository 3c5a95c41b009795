/**
 * THE mapping: (issuer profile, completion record) -> unsigned Open Badges 3.0 `OpenBadgeCredential`.
 *
 * The module follows the EU Council Recommendation on micro-credentials (2022/C 243/02), Annex I,
 * element by element: mandatory elements 1–11, optional elements 12–16, then the UK-specific
 * elements (subject codes, UKPRN). Each element has one function below, named after it, and one
 * row in {@link ANNEX_I_MAPPING}, so a reader can check the code against the Annex line by line.
 *
 * Only terms of the VC 2.0 and OB 3.0 (context-3.0.3) contexts are used; the extensions.json
 * context is added because `credentialSchema` uses the 1EdTech type `1EdTechJsonSchemaValidator2019`.
 * Everything the OB data model has no property for is an `achievement.alignment[]` entry with an
 * `ext:` targetType (OB's own extension mechanism for enumerations), so no custom context is needed.
 */
import { randomBytes } from 'node:crypto';
import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import { MicrocredError } from '../errors.js';
import { identityHash } from './identity-hash.js';
import { eqfFor, levelLabel } from '../record/levels.js';
import { assertProfile } from '../record/profile.js';
import type {
  AwardingBody,
  CompletionRecord,
  Course,
  IssuerProfile,
  LevelFramework,
  SupervisionOption,
} from '../record/types.js';
import { assertRecord } from '../record/validate.js';
import { isMicrocredProfileSchemaUrl } from '../schema/validate-profile.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL } from '../schema/validate-ob.js';
import { assertBuiltCredential } from './built-check.js';
import { checkCredential } from '../vcdm/conformance.js';
import type {
  Achievement,
  AchievementSubject,
  Alignment,
  IdentityObject,
  Image,
  OpenBadgeCredential,
  Profile,
  Result,
  ResultDescription,
} from './types.js';

export interface BuildOptions {
  /** The issuer's identifier (a DID or an https URL); becomes `issuer.id`. */
  issuerId: string;
  /** Credential id; default a fresh `urn:uuid:` (v4). */
  id?: string;
  /** Default: now, to the second, in UTC. */
  validFrom?: string;
  /** Default: the record's completion date at 00:00:00Z. */
  awardedDate?: string;
  /** Salt for hashed learner identifiers; default 16 random bytes as hex. */
  salt?: string;
  credentialStatus?: Record<string, unknown>;
  /**
   * Where the issuing deployment serves microcred's profile schema (`microcredProfileSchemaUrl(publicUrl)`), listed in
   * `credentialSchema` so that verifiers can fetch it. Without it (no public URL: library or CLI offline) the
   * credential lists only the official OB 3.0 schema.
   */
  profileSchemaId?: string;
  /**
   * The achievement's badge image (`achievement.image`, what wallets display): a URL the caller serves it at, or a
   * `data:` URI. Default: the issuer's logo, when the profile has one.
   */
  achievementImage?: { id: string; caption?: string };
}

/** The contexts of every credential microcred issues, in order. */
export const CREDENTIAL_CONTEXTS = [
  'https://www.w3.org/ns/credentials/v2',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
] as const;

/**
 * Namespace for the name-based (v5) UUIDs of achievements and result descriptions. Fixed forever:
 * changing it changes every achievement id.
 */
export const MICROCRED_UUID_NAMESPACE = '4a353976-4a70-477c-8d68-e1fe4594597c';

/** EU and other vocabulary URIs used as alignment targets. */
export const VOCABULARY = {
  /** EU "education credit" vocabulary: ECTS. */
  ects: 'http://data.europa.eu/snb/education-credit/6fcec5c5af',
  /** QAA page for the UK credit frameworks (no EU concept exists for UK credits). */
  ukCredits: 'https://www.qaa.ac.uk/the-quality-code/qualifications-and-credit-frameworks',
  /** ELM's volume of learning (the notional workload as a duration). */
  workload: 'http://data.europa.eu/snb/model/elm/volumeOfLearning',
  eqf: (level: number) => `http://data.europa.eu/snb/eqf/${level}`,
  frameworks: {
    FHEQ: 'https://www.qaa.ac.uk/the-quality-code/qualifications-and-credit-frameworks',
    SCQF: 'https://scqf.org.uk/about-the-framework/interactive-framework/',
    RQF: 'https://www.gov.uk/what-different-qualification-levels-mean',
    CQFW: 'https://www.gov.wales/credit-and-qualifications-framework-cqfw',
  } satisfies Record<LevelFramework, string>,
  /** EU "mode of learning and assessment" concepts (confirmed in EU ELM samples). */
  participation: {
    online: 'http://data.europa.eu/snb/learning-assessment/920fbb3cbe',
    'on-site': 'http://data.europa.eu/snb/learning-assessment/9191af2ed9',
    blended: 'http://data.europa.eu/snb/learning-assessment/e92d221e4d',
  },
  /**
   * EU "supervision and verification" vocabulary. Only "Unsupervised without ID verification" is
   * confirmed (official ELM sample); the other two point at the concept scheme itself rather than
   * guessing a concept id.
   */
  supervision: {
    'unsupervised-no-id-verification': 'http://data.europa.eu/snb/supervision-verification/c598449d64',
    'supervised-no-id-verification': 'http://data.europa.eu/snb/supervision-verification/25831c2',
    'supervised-with-id-verification': 'http://data.europa.eu/snb/supervision-verification/25831c2',
  } satisfies Record<SupervisionOption, string>,
  /** HECoS and CAH have no per-code URIs (DIGEST §12); the code goes in targetCode. */
  hecos: 'https://www.hesa.ac.uk/support/documentation/hecos',
  cah: 'https://www.hesa.ac.uk/support/documentation/hecos/cah',
} as const;

/**
 * The `targetType` of the alignments that carry credits, levels and subjects (OB's `ext:` extension mechanism). One
 * place for these names: the mapping below writes them and the stacking engine reads them.
 */
export const ALIGNMENT_TYPES = {
  ects: 'ext:ECTS',
  ukCredits: 'ext:UKCredits',
  /** Notional workload in hours (courses without credit, or beside credits). */
  workload: 'ext:NotionalWorkload',
  eqf: 'ext:EQF',
  /** The UK framework level: `ext:FHEQ`, `ext:SCQF`, `ext:RQF` or `ext:CQFW`; targetCode is the level. */
  level: (framework: LevelFramework): `ext:${LevelFramework}` => `ext:${framework}`,
  hecos: 'ext:HECoS',
  cah: 'ext:CAH',
  /** The parent course of an integrated micro-credential. */
  parentCourse: 'ceterms:Credential',
} as const;

const FRAMEWORK_NAMES: Record<LevelFramework, string> = {
  FHEQ: 'Framework for Higher Education Qualifications of Degree-Awarding Bodies in England, Wales and Northern Ireland (FHEQ)',
  SCQF: 'Scottish Credit and Qualifications Framework (SCQF)',
  RQF: 'Regulated Qualifications Framework (RQF)',
  CQFW: 'Credit and Qualifications Framework for Wales (CQFW)',
};

const SUPERVISION_NAMES: Record<SupervisionOption, string> = {
  'unsupervised-no-id-verification': 'Unsupervised with no identity verification',
  'supervised-no-id-verification': 'Supervised with no identity verification',
  'supervised-with-id-verification': 'Supervised with identity verification',
};

/** One row of the mapping table: an Annex I (or UK) element and where it lands in the credential. */
export interface MappingRow {
  /** Annex I number 1–16, or "UK-n" for UK-specific elements. */
  element: string;
  name: string;
  status: 'mandatory' | 'optional' | 'uk';
  /** Paths in the credential; `alignment[targetType=ext:ECTS]` selects array items by a field. */
  paths: string[];
  note: string;
}

const A = 'credentialSubject.achievement';
const AL = (t: string): string => `${A}.alignment[targetType=${t}]`;

/** The machine-readable mapping table (the README table is generated from it). */
export const ANNEX_I_MAPPING: readonly MappingRow[] = [
  { element: '1', name: 'Identification of the learner', status: 'mandatory',
    paths: ['credentialSubject.id', 'credentialSubject.identifier[identityType=name]', 'credentialSubject.identifier[identityType=emailAddress]', 'credentialSubject.identifier[identityType=sisSourcedId]'],
    note: 'DID as subject id when given; full name unhashed (identityType "name"); email (trimmed, lower-cased) and student id hashed: sha256$hex(value + salt).' },
  { element: '2', name: 'Title of the micro-credential', status: 'mandatory',
    paths: [`${A}.name`, 'name'], note: 'Course title; also the credential name shown by wallets.' },
  { element: '3', name: 'Country(ies)/Region(s) of the issuer', status: 'mandatory',
    paths: ['issuer.address.addressCountry', 'issuer.address.addressCountryCode', 'issuer.address.addressRegion'],
    note: 'From the issuer profile; ISO 3166-1 alpha-2 code. Also on achievement.creator when a different body awards.' },
  { element: '4', name: 'Awarding body(ies)', status: 'mandatory',
    paths: ['issuer.name', 'issuer.url', `${A}.creator`],
    note: 'Issuer Profile (name, url, email, image); a different awarding body named in the record becomes achievement.creator.' },
  { element: '5', name: 'Date of issuing', status: 'mandatory',
    paths: ['validFrom', 'awardedDate'], note: 'validFrom = time of issue; awardedDate = completion date unless given.' },
  { element: '6', name: 'Learning outcomes', status: 'mandatory',
    paths: [`${A}.criteria.narrative`, AL('ext:LearningOutcome')],
    note: 'Markdown list in criteria.narrative; one alignment per outcome, targetUrl = ESCO skill URI when given.' },
  { element: '7', name: 'Notional workload (ECTS wherever possible)', status: 'mandatory',
    paths: [AL('ext:ECTS'), AL('ext:UKCredits'), `${A}.creditsAvailable`, 'credentialSubject.creditsEarned', AL('ext:NotionalWorkload')],
    note: 'Both credit systems as explicit alignments (2 UK credits = 1 ECTS); creditsAvailable/creditsEarned in UK credits (the issuer\'s system). A course without credit: the workload in hours (targetCode PT12H), no credit alignment and no creditsAvailable/creditsEarned.' },
  { element: '8', name: 'Level (and cycle) of the learning experience (EQF)', status: 'mandatory',
    paths: [AL('ext:EQF'), `${A}.alignment[targetType=ext:FHEQ|ext:SCQF|ext:RQF|ext:CQFW]`],
    note: 'UK framework level and the EQF level from the UK referencing (http://data.europa.eu/snb/eqf/N).' },
  { element: '9', name: 'Type of assessment', status: 'mandatory', paths: [AL('ext:AssessmentType')], note: 'Free text from the record.' },
  { element: '10', name: 'Form of participation in the learning activity', status: 'mandatory',
    paths: [AL('ext:ParticipationMode')],
    note: 'targetCode "<online|on-site|blended>-<synchronous|asynchronous>"; targetUrl = EU learning-assessment mode concept.' },
  { element: '11', name: 'Type of quality assurance', status: 'mandatory', paths: [AL('ext:QualityAssurance')],
    note: 'One alignment per QA entry: type as targetName, body as targetFramework, URL as targetUrl.' },
  { element: '12', name: 'Prerequisites needed to enrol', status: 'optional', paths: [AL('ext:Prerequisites')], note: 'Text as targetName.' },
  { element: '13', name: 'Supervision and identity verification during assessment', status: 'optional',
    paths: [AL('ext:SupervisionVerification')], note: 'The three Annex I options (targetCode); targetUrl = EU supervision-verification vocabulary.' },
  { element: '14', name: 'Grade achieved', status: 'optional',
    paths: ['credentialSubject.result', `${A}.resultDescription`],
    note: 'Letter -> LetterGrade (allowedValue = scale), percentage/mark -> Percent, pass -> Status Completed, other -> Result with the scale.' },
  { element: '15', name: 'Integration/stackability options', status: 'optional',
    paths: [AL('ext:Stackability'), `${A}.alignment[targetType=ceterms:Credential]`],
    note: 'stand-alone or integrated; the parent course as a ceterms:Credential alignment (title, code, credits, URL).' },
  { element: '16', name: 'Further information', status: 'optional', paths: [AL('ext:FurtherInformation')], note: 'Text as targetName, URL as targetUrl.' },
  { element: 'UK-1', name: 'UKPRN of the awarding body', status: 'uk',
    paths: ['issuer.otherIdentifier[identifierType=ext:UKPRN]'], note: 'IdentifierEntry with identifierType "ext:UKPRN".' },
  { element: 'UK-2', name: 'Subject (HECoS)', status: 'uk', paths: [`${A}.fieldOfStudy`, AL('ext:HECoS')],
    note: 'fieldOfStudy = first HECoS term; one alignment per code (no official per-code URI: targetUrl = HESA HECoS page).' },
  { element: 'UK-3', name: 'Subject (CAH)', status: 'uk', paths: [AL('ext:CAH')], note: 'One alignment per CAH code.' },
  { element: 'UK-4', name: 'PSRB recognition', status: 'uk', paths: [AL('ext:PSRBRecognition')],
    note: 'One alignment per professional, statutory or regulatory body recognition.' },
  { element: 'UK-5', name: 'Course code, description, language, activity dates, assessor', status: 'uk',
    paths: [`${A}.humanCode`, `${A}.description`, `${A}.inLanguage`, 'credentialSubject.activityStartDate', 'credentialSubject.activityEndDate', 'credentialSubject.source'],
    note: 'Assessor (when not the awarding body) as credentialSubject.source.' },
];

// ---------------------------------------------------------------------------------------------
// Helpers

function alignment(
  targetType: string,
  targetFramework: string,
  targetCode: string,
  targetName: string,
  targetUrl: string,
  targetDescription?: string,
): Alignment {
  const a: Alignment = { type: ['Alignment'], targetName, targetUrl, targetFramework, targetCode, targetType };
  if (targetDescription !== undefined) a.targetDescription = targetDescription;
  return a;
}

/** Where an alignment without a URL of its own points: the course page, else the issuer's site. */
function fallbackUrl(profile: IssuerProfile, course: Course): string {
  return course.url ?? profile.url;
}


const dateTime = (date: string): string => (date.length === 10 ? `${date}T00:00:00Z` : date);

const formatNumber = (n: number): string => (Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2))));

/** Removes `undefined` values and empty arrays (OB: empty arrays are omitted). */
function prune<T>(value: T): T {
  if (Array.isArray(value)) return value.map(prune) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = prune(v);
    }
    return out as T;
  }
  return value;
}

/**
 * The stable achievement id: a name-based (v5) UUID of the issuer URL (lower-cased, without
 * trailing slashes) and the course code, so every credential for the same course from the same
 * issuer names the same Achievement, without pretending to be a dereferenceable URL.
 *
 * @example
 * ```ts
 * achievementId(profile, record.course); // 'urn:uuid:16dd2c51-91e9-5869-8a99-2a4a5d07f620'
 * ```
 */
export function achievementId(profile: IssuerProfile, course: Course): string {
  const issuerUrl = profile.url.replace(/\/+$/, '').toLowerCase();
  return `urn:uuid:${uuidv5(`${issuerUrl}#${course.code}`, MICROCRED_UUID_NAMESPACE)}`;
}

// ---------------------------------------------------------------------------------------------
// Annex I, mandatory elements

/** 1. Identification of the learner. */
function element1Learner(record: CompletionRecord, salt: string): Pick<AchievementSubject, 'id' | 'identifier'> {
  const { learner } = record;
  const identifier: IdentityObject[] = [
    // Unhashed: wallets (e.g. the DCC Learner Credential Wallet) display it as the learner's name.
    { type: 'IdentityObject', hashed: false, identityHash: learner.fullName, identityType: 'name' },
  ];
  if (learner.email !== undefined) {
    // Lower-cased before hashing so a verifier matching a typed address is not defeated by case.
    identifier.push({
      type: 'IdentityObject', hashed: true, identityHash: identityHash(learner.email.trim().toLowerCase(), salt),
      identityType: 'emailAddress', salt,
    });
  }
  if (learner.studentId !== undefined) {
    // Hashed too: a student id is personal data and is only needed to match, not to display.
    identifier.push({
      type: 'IdentityObject', hashed: true, identityHash: identityHash(learner.studentId, salt),
      identityType: 'sisSourcedId', salt,
    });
  }
  return learner.did !== undefined ? { id: learner.did, identifier } : { identifier };
}

/** 2. Title of the micro-credential. */
function element2Title(course: Course): { name: string } {
  return { name: course.title };
}

/** 3. Country(ies)/Region(s) of the issuer (also used for a different awarding body). */
function element3Address(body: { country: string; countryCode: string; region?: string }): Profile['address'] {
  return prune({
    type: ['Address'],
    addressCountry: body.country,
    addressCountryCode: body.countryCode,
    addressRegion: body.region,
  });
}

/** 4. Awarding body(ies): the issuer Profile, and `achievement.creator` for a different awarding body. */
function element4AwardingBody(profile: IssuerProfile, issuerId: string): Profile {
  return prune({
    id: issuerId,
    type: ['Profile'],
    name: profile.name,
    url: profile.url,
    email: profile.email,
    description: profile.description,
    image: profile.logo !== undefined ? { id: profile.logo, type: 'Image' as const, caption: `${profile.name} logo` } : undefined,
    address: element3Address(profile),
    otherIdentifier: ukprnIdentifier(profile.ukprn),
  });
}

function element4Creator(body: AwardingBody | undefined): Profile | undefined {
  if (body === undefined) return undefined;
  return prune({
    id: body.url,
    type: ['Profile'],
    name: body.name,
    url: body.url,
    address: element3Address(body),
    otherIdentifier: ukprnIdentifier(body.ukprn),
  });
}

/** 5. Date of issuing. */
function element5Dates(record: CompletionRecord, options: BuildOptions): { validFrom: string; awardedDate: string } {
  return {
    validFrom: options.validFrom ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    awardedDate: options.awardedDate ?? dateTime(record.result.completionDate),
  };
}

/** 6. Learning outcomes: a markdown list in the criteria, and one alignment each. */
function element6LearningOutcomes(profile: IssuerProfile, course: Course): { criteria: Achievement['criteria']; alignment: Alignment[] } {
  const narrative =
    'Awarded on successful assessment of all the learning outcomes. The learner is able to:\n\n' +
    course.learningOutcomes.map((o) => `- ${o.text}`).join('\n');
  const aligned = course.learningOutcomes.map((o, i) =>
    o.escoSkill !== undefined
      ? alignment('ext:LearningOutcome', 'ESCO (European Skills, Competences, Qualifications and Occupations)', `LO${i + 1}`, o.text, o.escoSkill)
      : alignment('ext:LearningOutcome', `${course.title} learning outcomes`, `LO${i + 1}`, o.text, `${fallbackUrl(profile, course)}#learning-outcome-${i + 1}`),
  );
  return { criteria: prune({ id: course.url, narrative }), alignment: aligned };
}

/**
 * 7. Notional workload: both credit systems, explicitly; and the workload in hours when the record gives it (a
 * course without credit, such as a CPD masterclass, has only that: Annex I asks for ECTS "wherever possible").
 */
function element7Workload(course: Course): Alignment[] {
  const out: Alignment[] = [];
  if (course.credits) {
    const uk = course.credits.uk as number;
    const ects = course.credits.ects as number;
    out.push(
      alignment(ALIGNMENT_TYPES.ects, 'European Credit Transfer and Accumulation System (ECTS)', formatNumber(ects), `${formatNumber(ects)} ECTS credits`, VOCABULARY.ects),
      alignment(ALIGNMENT_TYPES.ukCredits, 'UK credit (1 credit = 10 notional hours of learning)', formatNumber(uk),
        `${formatNumber(uk)} UK credits (${formatNumber(uk * 10)} notional hours)`, VOCABULARY.ukCredits),
    );
  }
  if (course.workload) {
    const hours = formatNumber(course.workload.hours);
    // The code is an ISO 8601 duration, as ELM's volumeOfLearning writes it (PT12H).
    out.push(alignment(ALIGNMENT_TYPES.workload, 'Notional workload (hours of learning)', `PT${hours}H`,
      course.credits ? `${hours} notional hours` : `${hours} notional hours (no credit)`, VOCABULARY.workload));
  }
  return out;
}

/** 8. Level: the UK framework level and the EQF level. */
function element8Level(course: Course): Alignment[] {
  const { framework, level } = course.level;
  const eqf = course.level.eqf ?? eqfFor(framework, level);
  const out = [
    alignment(ALIGNMENT_TYPES.level(framework), FRAMEWORK_NAMES[framework], String(level), levelLabel(framework, level), VOCABULARY.frameworks[framework]),
  ];
  if (eqf !== undefined) {
    out.push(alignment(ALIGNMENT_TYPES.eqf, 'European Qualifications Framework (EQF)', String(eqf), `EQF level ${eqf}`, VOCABULARY.eqf(eqf),
      `Compared through the UK referencing of ${levelLabel(framework, level)}.`));
  }
  return out;
}

/** 9. Type of assessment. */
function element9Assessment(profile: IssuerProfile, course: Course): Alignment {
  return alignment('ext:AssessmentType', 'Type of assessment (EU micro-credential Annex I element 9)', 'assessment',
    course.assessment.type, fallbackUrl(profile, course), course.assessment.description);
}

/** 10. Form of participation in the learning activity. */
function element10Participation(course: Course): Alignment {
  const { mode, synchronous, description } = course.participation;
  const modeName = { online: 'Online', 'on-site': 'On site', blended: 'Blended' }[mode];
  const timing = synchronous ? 'synchronous' : 'asynchronous';
  return alignment('ext:ParticipationMode', 'Europass modes of learning and assessment', `${mode}-${timing}`,
    `${modeName} (${timing})`, VOCABULARY.participation[mode], description);
}

/**
 * 11. Type of quality assurance. Annex I asks only for the type: without a body, the awarding body's own procedures
 * are meant; without a URL, the course page (else the awarding body's) stands for it (OB alignments need a URL).
 */
function element11QualityAssurance(profile: IssuerProfile, course: Course): Alignment[] {
  const owner = course.awardingBody?.name ?? profile.name;
  return course.qualityAssurance.map((qa, i) => alignment('ext:QualityAssurance', qa.body ?? owner, `QA${i + 1}`, qa.type, qa.url ?? fallbackUrl(profile, course)));
}

// ---------------------------------------------------------------------------------------------
// Annex I, optional elements

/** 12. Prerequisites needed to enrol in the learning activity. */
function element12Prerequisites(profile: IssuerProfile, course: Course): Alignment[] {
  if (course.prerequisites === undefined) return [];
  return [alignment('ext:Prerequisites', 'Prerequisites (EU micro-credential Annex I element 12)', 'prerequisites',
    course.prerequisites, fallbackUrl(profile, course))];
}

/** 13. Supervision and identity verification during assessment. */
function element13Supervision(course: Course): Alignment[] {
  const s = course.supervision;
  if (s === undefined) return [];
  const where = s.setting === 'online' ? ' (online)' : s.setting === 'on-site' ? ' (on site)' : '';
  return [alignment('ext:SupervisionVerification', 'Europass supervision and verification methods', s.option,
    `${SUPERVISION_NAMES[s.option]}${where}`, VOCABULARY.supervision[s.option])];
}

/** 14. Grade achieved: `credentialSubject.result[]` linked to `achievement.resultDescription[]`. */
function element14Grade(record: CompletionRecord, achId: string): { resultDescription: ResultDescription[]; result: Result[] } {
  const { grade, mark } = record.result;
  const rdId = (name: string): string => `urn:uuid:${uuidv5(`${achId}/resultDescription/${name}`, MICROCRED_UUID_NAMESPACE)}`;
  const resultDescription: ResultDescription[] = [];
  const result: Result[] = [];
  const add = (rd: ResultDescription, r: Omit<Result, 'type' | 'resultDescription'>): void => {
    resultDescription.push(prune(rd));
    result.push(prune({ type: ['Result'], resultDescription: rd.id, ...r }));
  };
  if (grade?.kind === 'letter') {
    add({ id: rdId('grade'), type: ['ResultDescription'], name: 'Grade', resultType: 'LetterGrade', allowedValue: grade.scale }, { value: grade.value });
  } else if (grade?.kind === 'percentage') {
    add({ id: rdId('percentage'), type: ['ResultDescription'], name: 'Mark (%)', resultType: 'Percent', valueMin: '0', valueMax: '100' },
      { value: formatNumber(grade.value) });
  } else if (grade?.kind === 'pass-fail') {
    add({ id: rdId('pass-fail'), type: ['ResultDescription'], name: 'Pass/fail', resultType: 'Status' }, { status: 'Completed', value: 'Pass' });
  } else if (grade?.kind === 'other') {
    add({ id: rdId('grade'), type: ['ResultDescription'], name: grade.scale.name, resultType: 'Result', allowedValue: grade.scale.values,
      valueMin: grade.scale.min, valueMax: grade.scale.max }, { value: grade.value });
  }
  if (mark !== undefined && grade?.kind !== 'percentage') {
    add({ id: rdId('percentage'), type: ['ResultDescription'], name: 'Mark (%)', resultType: 'Percent', valueMin: '0', valueMax: '100' },
      { value: formatNumber(mark) });
  }
  return { resultDescription, result };
}

/** 15. Integration/stackability options. */
function element15Stackability(profile: IssuerProfile, course: Course): Alignment[] {
  const s = course.stackability;
  if (s === undefined) return [];
  if (s.type === 'stand-alone') {
    return [alignment('ext:Stackability', 'Integration/stackability options (EU micro-credential Annex I element 15)', 'stand-alone',
      'Stand-alone, independent micro-credential', fallbackUrl(profile, course))];
  }
  const p = s.parent;
  const credits = p.credits?.uk !== undefined && p.credits.ects !== undefined
    ? ` (${formatNumber(p.credits.uk)} UK credits / ${formatNumber(p.credits.ects)} ECTS)`
    : '';
  return [
    alignment('ext:Stackability', 'Integration/stackability options (EU micro-credential Annex I element 15)', 'integrated',
      `Integrated, stackable towards ${p.title}`, p.url ?? fallbackUrl(profile, course)),
    alignment(ALIGNMENT_TYPES.parentCourse, profile.name, p.code ?? p.title, p.title, p.url ?? fallbackUrl(profile, course), `Parent course${credits}.`),
  ];
}

/** 16. Further information. */
function element16FurtherInformation(profile: IssuerProfile, course: Course): Alignment[] {
  const f = course.furtherInformation;
  if (f === undefined) return [];
  return [alignment('ext:FurtherInformation', 'Further information (EU micro-credential Annex I element 16)', 'further-information',
    f.text, f.url ?? fallbackUrl(profile, course))];
}

// ---------------------------------------------------------------------------------------------
// UK-specific elements

/** UK-1. UKPRN as an IdentifierEntry. */
function ukprnIdentifier(ukprn: string | undefined): Profile['otherIdentifier'] {
  return ukprn === undefined ? undefined : [{ type: 'IdentifierEntry', identifier: ukprn, identifierType: 'ext:UKPRN' }];
}

/** UK-2 and UK-3. Subject codes (HECoS, CAH). */
function ukSubjects(course: Course): { fieldOfStudy?: string; alignment: Alignment[] } {
  const hecos = course.subjects?.hecos ?? [];
  const cah = course.subjects?.cah ?? [];
  return {
    fieldOfStudy: hecos[0]?.term,
    alignment: [
      ...hecos.map((s) => alignment(ALIGNMENT_TYPES.hecos, 'Higher Education Classification of Subjects (HECoS)', s.code, s.term, VOCABULARY.hecos)),
      ...cah.map((s) => alignment(ALIGNMENT_TYPES.cah, 'Common Aggregation Hierarchy (CAH)', s.code, s.term, VOCABULARY.cah)),
    ],
  };
}

/** UK-4. PSRB recognition (without the body's URL, the course page stands for it). */
function ukPsrb(profile: IssuerProfile, course: Course): Alignment[] {
  return (course.psrb ?? []).map((p, i) => alignment('ext:PSRBRecognition', p.body, `PSRB${i + 1}`, p.recognition, p.url ?? fallbackUrl(profile, course)));
}

// ---------------------------------------------------------------------------------------------

function checkDateTime(value: string | undefined, field: string): void {
  // OB's DateTimeZ: a date-time with a time zone.
  if (value !== undefined && !(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)))) {
    throw new MicrocredError('CREDENTIAL_INVALID', `options.${field}: expected a date-time with a time zone such as "2026-06-22T09:00:00Z", found ${JSON.stringify(value)}`);
  }
}

/** `credentialSchema`: the official OB schema, and the profile schema where the deployment serves it. */
function credentialSchemas(profileSchemaId: string | undefined): OpenBadgeCredential['credentialSchema'] {
  if (profileSchemaId !== undefined && !isMicrocredProfileSchemaUrl(profileSchemaId)) {
    throw new MicrocredError('CREDENTIAL_INVALID',
      `options.profileSchemaId: expected the http(s) URL where the profile schema is served, ending in "/schemas/microcred-profile/v1.json", found ${JSON.stringify(profileSchemaId)}`);
  }
  return [
    { id: OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, type: '1EdTechJsonSchemaValidator2019' },
    ...(profileSchemaId !== undefined ? [{ id: profileSchemaId, type: '1EdTechJsonSchemaValidator2019' }] : []),
  ];
}

function checkUri(value: string, field: string): void {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(value)) {
    throw new MicrocredError('CREDENTIAL_INVALID', `options.${field}: expected a URI (e.g. a DID or urn:uuid:…), found ${JSON.stringify(value)}`);
  }
}

function checkStatus(value: Record<string, unknown> | undefined): void {
  // OB 3.0 requires an "id" on CredentialStatus, which the VC Data Model does not; its "type" and the form of the id
  // are held to the data model's rules with the rest of the credential (`conforming`).
  if (value !== undefined && !(value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.id === 'string')) {
    throw new MicrocredError('CREDENTIAL_INVALID', 'options.credentialStatus: expected an object with an "id" and a "type" (e.g. a BitstringStatusListEntry)');
  }
}

function achievementImage(profile: IssuerProfile, options: BuildOptions): Image | undefined {
  const given = options.achievementImage;
  if (given === undefined) return profile.logo !== undefined ? { id: profile.logo, type: 'Image' } : undefined;
  checkUri(typeof given?.id === 'string' ? given.id : '', 'achievementImage.id');
  if (given.caption !== undefined && typeof given.caption !== 'string') {
    throw new MicrocredError('CREDENTIAL_INVALID', 'options.achievementImage.caption: expected text.');
  }
  return given.caption !== undefined ? { id: given.id, type: 'Image', caption: given.caption } : { id: given.id, type: 'Image' };
}

/**
 * Builds the unsigned OpenBadgeCredential for one completion record. Pure apart from the defaults
 * for `id`, `validFrom` and `salt` (fresh random values / the clock when not given). The profile and
 * record are validated (and the record normalised) first, so bad input throws PROFILE_INVALID or
 * RECORD_INVALID naming every problem. The credential is checked against the OB 3.0 and profile schemas
 * before it is returned (`BUILT_CREDENTIAL_INVALID` would be a bug in the mapping).
 *
 * @example
 * ```ts
 * const credential = buildCredential(profile, record, { issuerId: keys.controller });
 * const signed = await issueCredential(credential, { format: 'di', keys });
 * ```
 */
export function buildCredential(profileIn: IssuerProfile, recordIn: CompletionRecord, options: BuildOptions): OpenBadgeCredential {
  return buildValidatedCredential(assertProfile(profileIn), assertRecord(recordIn), options);
}

/**
 * Internal: {@link buildCredential} for a profile and record that already went through `assertProfile` /
 * `validateRecord` (the service validates the record once per request and the profile when the issuer is created).
 *
 * @example
 * ```ts
 * const credential = buildValidatedCredential(issuerRow.profile, validation.record, { issuerId: keys.controller });
 * ```
 */
export function buildValidatedCredential(profile: IssuerProfile, record: CompletionRecord, options: BuildOptions): OpenBadgeCredential {
  checkUri(options.issuerId, 'issuerId');
  if (options.id !== undefined) checkUri(options.id, 'id');
  checkDateTime(options.validFrom, 'validFrom');
  checkDateTime(options.awardedDate, 'awardedDate');
  checkStatus(options.credentialStatus);
  const { course } = record;
  const salt = options.salt ?? randomBytes(16).toString('hex');
  const achId = achievementId(profile, course);

  const outcomes = element6LearningOutcomes(profile, course);
  const subjects = ukSubjects(course);
  const grade = element14Grade(record, achId);

  const achievement: Achievement = {
    id: achId,
    type: ['Achievement'],
    achievementType: 'MicroCredential',
    ...element2Title(course),
    // OB requires an achievement description; Annex I does not ask for one: the title stands for it.
    description: course.description ?? course.title,
    criteria: outcomes.criteria,
    humanCode: course.code,
    // The catalogue version the course description comes from (OB's Achievement.version is a string).
    version: course.version !== undefined ? String(course.version) : undefined,
    inLanguage: course.language,
    fieldOfStudy: subjects.fieldOfStudy,
    creditsAvailable: course.credits?.uk,
    creator: element4Creator(course.awardingBody),
    image: achievementImage(profile, options),
    alignment: [
      ...outcomes.alignment, // 6
      ...element7Workload(course), // 7
      ...element8Level(course), // 8
      element9Assessment(profile, course), // 9
      element10Participation(course), // 10
      ...element11QualityAssurance(profile, course), // 11
      ...element12Prerequisites(profile, course), // 12
      ...element13Supervision(course), // 13
      ...element15Stackability(profile, course), // 15
      ...element16FurtherInformation(profile, course), // 16
      ...subjects.alignment, // UK-2, UK-3
      ...ukPsrb(profile, course), // UK-4
    ],
    resultDescription: grade.resultDescription, // 14
  };

  const r = record.result;
  const credentialSubject: AchievementSubject = {
    ...element1Learner(record, salt),
    type: ['AchievementSubject'],
    achievement,
    creditsEarned: course.credits?.uk,
    activityStartDate: r.activityStartDate !== undefined ? dateTime(r.activityStartDate) : undefined,
    activityEndDate: r.activityEndDate !== undefined ? dateTime(r.activityEndDate) : undefined,
    result: grade.result,
    source: r.assessor !== undefined ? { id: r.assessor.url, type: ['Profile'], name: r.assessor.name, url: r.assessor.url } : undefined,
  };

  const credential: OpenBadgeCredential = {
    '@context': [...CREDENTIAL_CONTEXTS],
    id: options.id ?? `urn:uuid:${uuidv4()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    ...element2Title(course),
    ...(course.description !== undefined ? { description: course.description } : {}),
    issuer: element4AwardingBody(profile, options.issuerId),
    ...element5Dates(record, options),
    credentialSubject,
    credentialSchema: credentialSchemas(options.profileSchemaId),
    credentialStatus: options.credentialStatus,
  };
  const built = conforming(prune(credential));
  assertBuiltCredential(built);
  return built;
}

/**
 * The built credential, held to the VC Data Model 2.0 rules before anyone signs it. The mapping itself produces
 * conforming credentials (the tests sweep it); what can still break a rule comes from the caller's options (a
 * `credentialStatus` without `type`, say), and it is refused here rather than signed.
 */
function conforming(credential: OpenBadgeCredential): OpenBadgeCredential {
  const { conforming: ok, problems } = checkCredential(credential);
  if (ok) return credential;
  const errors = problems.filter((p) => p.severity === 'error');
  throw new MicrocredError(
    'CREDENTIAL_INVALID',
    `The credential would not follow the W3C VC Data Model 2.0 (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n` +
      errors.map((p) => `- ${p.message}`).join('\n'),
    errors,
  );
}
