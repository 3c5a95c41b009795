/**
 * The credential view model: everything an employer reads on a credential, taken from the credential itself (what
 * was signed), never from a database row.
 *
 * The Annex I and UK elements are read back through the paths of {@link ANNEX_I_MAPPING}, the same table the
 * builder writes by, so the reader cannot drift from the writer. Other issuers' Open Badges 3.0 (and VC 1.1-era)
 * credentials go through the same reader: whatever they carry is shown, unknown alignments are kept as they are, and
 * nothing throws for an odd shape. The learner's e-mail address and student id (hashed identifiers) are never read.
 */
import { decodeJwt } from 'jose';
import { ANNEX_I_MAPPING, VOCABULARY } from '../credential/annex1.js';
import { selectPath } from '../credential/mapping-path.js';
import { MicrocredError } from '../errors.js';
import { FRAMEWORK_LEVELS } from '../record/levels.js';
import type { LevelFramework, ParticipationMode, SupervisionOption } from '../record/types.js';
import { label } from './i18n/index.js';

/** UK credit: one credit stands for ten hours of notional learning (QAA, Higher education credit framework). */
export const NOTIONAL_HOURS_PER_UK_CREDIT = 10;

export interface ImageView {
  /** An https/http URL or a `data:` URI. */
  url: string;
  caption?: string;
  /** True for a `data:` URI (safe to embed without fetching anything). */
  dataUri: boolean;
}

export interface OrganisationView {
  id?: string;
  name?: string;
  url?: string;
  email?: string;
  description?: string;
  logo?: ImageView;
  country?: string;
  countryCode?: string;
  region?: string;
  locality?: string;
  ukprn?: string;
}

/**
 * Who signed the credential, as the verifier proved it (not as the credential claims). {@link credentialView}
 * leaves it `null`; the verifier fills it in.
 */
export interface SignerView {
  /** How the key is tied to an identity. */
  method: 'did:web' | 'did:key' | 'https' | 'other';
  /** The issuer identifier that was proven (a DID or URL). */
  id: string;
  /** For did:web / https: the host the key was published at. */
  host?: string;
  /** When the issuer is on a configured trust list: its listed name and the list's name. */
  known?: { name: string; list: string };
}

export interface LevelView {
  /** FHEQ, SCQF, RQF or CQFW when the alignment is one of those; otherwise the alignment's own `targetType`. */
  framework?: string;
  /** The level as written in the credential (`"7"`, `"entry3"`). */
  level?: string;
  /** The alignment's name as issued, e.g. "FHEQ level 7". */
  text: string;
}

export interface SubjectView {
  scheme: 'HECoS' | 'CAH' | 'field';
  code?: string;
  term: string;
}

export interface GradeView {
  /** The result description's name as issued (e.g. "Grade", "Mark (%)"). */
  name?: string;
  value?: string;
  /** OB ResultStatusType, e.g. "Completed". */
  status?: string;
  resultType?: string;
  /** The allowed values, low to high. */
  scale?: string[];
  min?: string;
  max?: string;
  /** Name of the achieved rubric level. */
  level?: string;
}

export interface AlignmentView {
  name: string;
  url?: string;
  code?: string;
  framework?: string;
  description?: string;
  type?: string;
}

/** Everything shown about one credential, in the order an employer reads it. */
export interface CredentialView {
  /** `vc2` for VC Data Model 2.0 credentials, `vc1` for VC 1.1-era ones (`issuanceDate`). */
  model: 'vc2' | 'vc1';
  learner: { name?: string };
  title?: string;
  achievementType?: string;
  description?: string;
  /** The achievement's image (the badge), else the credential's image. */
  image?: ImageView;
  /** The issuer Profile. */
  issuer: OrganisationView;
  /** A different awarding body (`achievement.creator`), when there is one. */
  awardingBody?: OrganisationView;
  /** Filled by the verifier; `null` here. */
  signer: SignerView | null;
  dates: { issued?: string; awarded?: string; validFrom?: string; validUntil?: string };
  credits: { uk?: number; ects?: number; notionalHours?: number; available?: number; earned?: number };
  level: { frameworks: LevelView[]; eqf?: number; eqfText?: string };
  subjects: SubjectView[];
  learningOutcomes: { text: string; url?: string }[];
  criteria?: { narrative?: string; url?: string };
  participation?: { mode?: ParticipationMode; synchronous?: boolean; text: string; description?: string };
  assessment: { text: string; description?: string }[];
  supervision?: { option?: SupervisionOption; setting?: 'online' | 'on-site'; text: string };
  qualityAssurance: { text: string; body?: string; url?: string; description?: string }[];
  psrb: { recognition: string; body?: string; url?: string }[];
  prerequisites: string[];
  stackability?: {
    type?: 'stand-alone' | 'integrated';
    text: string;
    url?: string;
    parent?: { title: string; code?: string; url?: string; description?: string };
  };
  grades: GradeView[];
  furtherInformation: { text: string; url?: string }[];
  course: {
    code?: string;
    language?: string;
    url?: string;
    studyStart?: string;
    studyEnd?: string;
    assessor?: OrganisationView;
    specialization?: string;
    term?: string;
    role?: string;
    licenseNumber?: string;
  };
  evidence: { name?: string; description?: string; narrative?: string; url?: string }[];
  /** Alignments no element above accounts for (other issuers' frameworks, competencies…), as issued. */
  otherAlignments: AlignmentView[];
  /** The credential's `id`. */
  id?: string;
}

/** A credential object, its JSON text, or a compact VC-JWT (decoded, not verified: verify it separately). */
export type CredentialInput = Record<string, unknown> | string;

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// The mapping's paths, named. `paths(element, n)` fails loudly if the mapping row no longer has n paths.

const ACHIEVEMENT = 'credentialSubject.achievement.';
const SUBJECT = 'credentialSubject.';
const ISSUER = 'issuer.';

function paths(element: string, count: number): readonly string[] {
  const row = ANNEX_I_MAPPING.find((r) => r.element === element);
  if (!row || row.paths.length < count) {
    throw new Error(`The credential view reads ${count} paths of mapping element ${element}; the mapping has ${row?.paths.length ?? 'no such row'}.`);
  }
  return row.paths;
}

function relative(path: string | undefined, prefix: string): string {
  if (path === undefined || !path.startsWith(prefix)) throw new Error(`Mapping path ${JSON.stringify(path)} is not under ${prefix}`);
  return path.slice(prefix.length);
}

const [, LEARNER_NAME] = paths('1', 2);
const [ACHIEVEMENT_NAME, CREDENTIAL_NAME] = paths('2', 2);
const [COUNTRY, COUNTRY_CODE, REGION] = paths('3', 3);
const [, , CREATOR] = paths('4', 3);
const [VALID_FROM, AWARDED_DATE] = paths('5', 2);
const [CRITERIA_NARRATIVE, LEARNING_OUTCOMES] = paths('6', 2);
const [ECTS, UK_CREDITS, CREDITS_AVAILABLE, CREDITS_EARNED, WORKLOAD] = paths('7', 5);
const [EQF, UK_FRAMEWORKS] = paths('8', 2);
const [ASSESSMENT] = paths('9', 1);
const [PARTICIPATION] = paths('10', 1);
const [QUALITY_ASSURANCE] = paths('11', 1);
const [PREREQUISITES] = paths('12', 1);
const [SUPERVISION] = paths('13', 1);
const [RESULT, RESULT_DESCRIPTION] = paths('14', 2);
const [STACKABILITY, PARENT_COURSE] = paths('15', 2);
const [FURTHER_INFORMATION] = paths('16', 1);
const [UKPRN] = paths('UK-1', 1);
const [FIELD_OF_STUDY, HECOS] = paths('UK-2', 2);
const [CAH] = paths('UK-3', 1);
const [PSRB] = paths('UK-4', 1);
const [COURSE_CODE, DESCRIPTION, LANGUAGE, STUDY_START, STUDY_END, ASSESSOR] = paths('UK-5', 6);

const ESCO_PREFIX = 'http://data.europa.eu/esco/';

// ---------------------------------------------------------------------------------------------
// Tolerant readers: OB allows a few shapes for the same thing, and other issuers send more.

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A non-empty string; a JSON-LD value object's `@value`; the first of an array of those. */
function text(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.map(text).find((s) => s !== undefined);
  if (isObject(v)) return text(v['@value']);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s === '' ? undefined : s;
}

function list(v: unknown): Json[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter(isObject);
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const s = text(v);
  return s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined;
}

function first(doc: unknown, path: string | undefined): unknown {
  if (path === undefined) throw new Error('Missing mapping path');
  return selectPath(doc, path)[0];
}

function types(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).filter((t): t is string => typeof t === 'string');
}

/** A URL a page may link to or embed: http(s) or, for images, data:. Anything else (javascript:, file:…) is dropped. */
function link(v: unknown, allowData = false): string | undefined {
  const s = text(v);
  if (s === undefined) return undefined;
  if (/^https?:\/\/[^\s]+$/i.test(s)) return s;
  if (allowData && /^data:/i.test(s)) return s;
  return undefined;
}

function image(v: unknown): ImageView | undefined {
  const obj = isObject(v) ? v : undefined;
  const url = link(obj ? obj.id : v, true);
  if (url === undefined) return undefined;
  const caption = text(obj?.caption);
  return { url, dataUri: /^data:/i.test(url), ...(caption !== undefined ? { caption } : {}) };
}

/** Drops undefined members so views compare and serialise cleanly. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function organisation(v: unknown): OrganisationView {
  if (typeof v === 'string') return compact({ id: text(v) });
  if (!isObject(v)) return {};
  const ukprn = first(v, relative(UKPRN, ISSUER)) as Json | undefined;
  return compact({
    id: text(v.id),
    name: text(v.name),
    url: link(v.url),
    email: text(v.email),
    description: text(v.description),
    logo: image(v.image),
    country: text(first(v, relative(COUNTRY, ISSUER))),
    countryCode: text(first(v, relative(COUNTRY_CODE, ISSUER))),
    region: text(first(v, relative(REGION, ISSUER))),
    locality: text((v.address as Json | undefined)?.addressLocality),
    ukprn: text(ukprn?.identifier),
  });
}

/** The credential object behind any accepted input. */
function credentialObject(input: CredentialInput): Json {
  let value: unknown = input;
  if (typeof input === 'string') {
    const s = input.trim();
    if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s)) {
      try {
        value = decodeJwt(s);
      } catch (e) {
        throw new MicrocredError('CREDENTIAL_INVALID', `The JWT payload could not be decoded: ${(e as Error).message}`);
      }
    } else {
      try {
        value = JSON.parse(s);
      } catch {
        throw new MicrocredError('CREDENTIAL_INVALID', 'Expected a credential as a JSON object or a compact JWT; this text is neither.');
      }
    }
  }
  if (!isObject(value)) throw new MicrocredError('CREDENTIAL_INVALID', 'Expected a credential (a JSON object).');
  // A VC 1.1-era JWT payload nests the credential in the `vc` claim.
  if (isObject(value.vc) && value.credentialSubject === undefined) return value.vc;
  return value;
}

const FRAMEWORKS = Object.keys(FRAMEWORK_LEVELS) as LevelFramework[];
const PARTICIPATION_MODES = Object.keys(VOCABULARY.participation) as ParticipationMode[];
const SUPERVISION_OPTIONS = Object.keys(VOCABULARY.supervision) as SupervisionOption[];

const looksLikeEmail = (s: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);

// ---------------------------------------------------------------------------------------------

/**
 * The view model of a credential: learner, title, awarding body, dates and every Annex I / UK element it carries,
 * read from the credential itself. Pure; never throws for a credential object of an unexpected shape (it shows what
 * is there). The learner's e-mail address and student id are never included.
 *
 * @throws MicrocredError `CREDENTIAL_INVALID` when the input is not a JSON object, JSON text or a compact JWT.
 * @example
 * ```ts
 * const view = credentialView(signedCredential); // or credentialView(compactJwt)
 * view.title; // 'Data Analytics for Public Health'
 * view.credits; // { uk: 20, ects: 10, notionalHours: 200, available: 20, earned: 20 }
 * ```
 */
export function credentialView(input: CredentialInput): CredentialView {
  const credential = credentialObject(input);
  const subject = list(credential.credentialSubject)[0] ?? {};
  const achievement = list(subject.achievement)[0] ?? {};
  const a = (path: string | undefined): unknown[] => selectPath(achievement, relative(path, ACHIEVEMENT));
  const s = (path: string | undefined): unknown => first(subject, relative(path, SUBJECT));
  const used = new Set<unknown>();
  const aligned = (path: string | undefined): Json[] => {
    const found = a(path).filter(isObject);
    for (const item of found) used.add(item);
    return found;
  };

  // 1. The learner's name: only a name, never a hashed identifier or anything that looks like an address.
  const nameIdentifier = list(s(LEARNER_NAME)).find((i) => i.hashed === false);
  const learnerName = [text(subject.name), text(nameIdentifier?.identityHash)].find((n) => n !== undefined && !looksLikeEmail(n));

  // 7. Credits.
  const ects = num(aligned(ECTS)[0]?.targetCode);
  const uk = num(aligned(UK_CREDITS)[0]?.targetCode);

  // 8. Level.
  const frameworks: LevelView[] = aligned(UK_FRAMEWORKS).map((al) => {
    const framework = text(al.targetType)?.replace(/^ext:/, '');
    return compact({
      framework: framework !== undefined && (FRAMEWORKS as string[]).includes(framework) ? framework : text(al.targetType),
      level: text(al.targetCode) ?? (typeof al.targetCode === 'number' ? String(al.targetCode) : undefined),
      text: text(al.targetName) ?? '',
    });
  }).filter((l) => l.text !== '' || l.level !== undefined);
  const eqfAlignment = aligned(EQF)[0];
  const eqfFromUrl = [1, 2, 3, 4, 5, 6, 7, 8].find((n) => eqfAlignment?.targetUrl === VOCABULARY.eqf(n));
  const eqf = num(eqfAlignment?.targetCode) ?? eqfFromUrl;

  // 10, 13, 15: coded alignments.
  const participationAl = aligned(PARTICIPATION)[0];
  const participationCode = text(participationAl?.targetCode);
  const [modeCode, timing] = participationCode?.split(/-(?=(?:a)?synchronous$)/) ?? [];
  const supervisionAl = aligned(SUPERVISION)[0];
  const supervisionOption = SUPERVISION_OPTIONS.find((o) => o === text(supervisionAl?.targetCode));
  const stackAl = aligned(STACKABILITY)[0];
  const stackType = (['stand-alone', 'integrated'] as const).find((t) => t === text(stackAl?.targetCode));
  const parentAl = stackType === 'integrated' ? aligned(PARENT_COURSE)[0] : undefined;

  // 14. Grades: each result with the description it points at.
  const descriptions = a(RESULT_DESCRIPTION).flatMap(list);
  const grades: GradeView[] = list(s(RESULT)).map((r) => {
    const rd = descriptions.find((d) => d.id !== undefined && d.id === r.resultDescription);
    const levels = list(rd?.rubricCriterionLevel);
    const achieved = levels.find((l) => l.id !== undefined && l.id === r.achievedLevel);
    const scale = Array.isArray(rd?.allowedValue) ? rd.allowedValue.map(text).filter((v): v is string => v !== undefined) : [];
    return compact({
      name: text(rd?.name),
      value: text(r.value),
      status: text(r.status),
      resultType: text(rd?.resultType),
      scale: scale.length > 0 ? scale : undefined,
      min: text(rd?.valueMin),
      max: text(rd?.valueMax),
      level: text(achieved?.name),
    });
  }).filter((g) => g.value !== undefined || g.status !== undefined || g.level !== undefined);

  // UK-2, UK-3: subjects; fieldOfStudy only when no HECoS term says the same.
  const coded = (scheme: 'HECoS' | 'CAH', path: string | undefined): SubjectView[] =>
    aligned(path).flatMap((al) => {
      const term = text(al.targetName);
      return term === undefined ? [] : [compact({ scheme, code: text(al.targetCode), term })];
    });
  const subjects = [...coded('HECoS', HECOS), ...coded('CAH', CAH)];
  const field = text(a(FIELD_OF_STUDY)[0]);
  if (field !== undefined && !subjects.some((x) => x.term.toLowerCase() === field.toLowerCase())) subjects.unshift({ scheme: 'field', term: field });

  const outcomes = aligned(LEARNING_OUTCOMES).flatMap((al) => {
    const t = text(al.targetName);
    const url = link(al.targetUrl);
    return t === undefined ? [] : [compact({ text: t, url: url?.startsWith(ESCO_PREFIX) ? url : undefined })];
  });
  const named = (path: string | undefined) =>
    aligned(path).flatMap((al) => {
      const t = text(al.targetName);
      return t === undefined ? [] : [{ al, text: t }];
    });

  const criteria = compact({ narrative: text(a(CRITERIA_NARRATIVE)[0]), url: link((achievement.criteria as Json | undefined)?.id) });
  const creator = a(CREATOR)[0];
  const vc1 = types(credential['@context']).includes('https://www.w3.org/2018/credentials/v1');
  const validFrom = text(first(credential, VALID_FROM)) ?? text(credential.issuanceDate);

  const view: CredentialView = {
    model: vc1 ? 'vc1' : 'vc2',
    learner: compact({ name: learnerName }),
    title: text(a(ACHIEVEMENT_NAME)[0]) ?? text(first(credential, CREDENTIAL_NAME)),
    achievementType: text(achievement.achievementType),
    description: text(a(DESCRIPTION)[0]) ?? text(credential.description),
    image: image(achievement.image) ?? image(credential.image),
    issuer: organisation(credential.issuer),
    // A creator with the issuer's own id is the issuer again, not a different awarding body.
    awardingBody: creator !== undefined && organisation(creator).id !== organisation(credential.issuer).id ? organisation(creator) : undefined,
    signer: null,
    dates: compact({
      issued: validFrom,
      awarded: text(first(credential, AWARDED_DATE)),
      validFrom,
      validUntil: text(credential.validUntil) ?? text(credential.expirationDate),
    }),
    credits: compact({
      uk,
      ects,
      // A course without credit states its workload in hours (targetCode an ISO 8601 duration such as PT12H).
      notionalHours: uk !== undefined ? uk * NOTIONAL_HOURS_PER_UK_CREDIT : num(/^PT(\d+(?:\.\d+)?)H$/.exec(text(aligned(WORKLOAD)[0]?.targetCode) ?? '')?.[1]),
      available: num(a(CREDITS_AVAILABLE)[0]),
      earned: num(s(CREDITS_EARNED)),
    }),
    level: compact({ frameworks, eqf, eqfText: text(eqfAlignment?.targetName) }),
    subjects,
    learningOutcomes: outcomes,
    criteria: Object.keys(criteria).length > 0 ? criteria : undefined,
    participation: participationAl && text(participationAl.targetName) !== undefined
      ? compact({
          mode: PARTICIPATION_MODES.find((m) => m === modeCode),
          synchronous: timing === 'synchronous' ? true : timing === 'asynchronous' ? false : undefined,
          text: text(participationAl.targetName) as string,
          description: text(participationAl.targetDescription),
        })
      : undefined,
    assessment: named(ASSESSMENT).map(({ al, text: t }) => compact({ text: t, description: text(al.targetDescription) })),
    supervision: supervisionAl && text(supervisionAl.targetName) !== undefined
      ? compact({
          option: supervisionOption,
          setting: supervisionOption ? supervisionSetting(supervisionOption, text(supervisionAl.targetName) as string) : undefined,
          text: text(supervisionAl.targetName) as string,
        })
      : undefined,
    qualityAssurance: named(QUALITY_ASSURANCE).map(({ al, text: t }) =>
      compact({ text: t, body: text(al.targetFramework), url: link(al.targetUrl), description: text(al.targetDescription) })),
    psrb: named(PSRB).map(({ al, text: t }) => compact({ recognition: t, body: text(al.targetFramework), url: link(al.targetUrl) })),
    prerequisites: named(PREREQUISITES).map(({ text: t }) => t),
    stackability: stackAl && text(stackAl.targetName) !== undefined
      ? compact({
          type: stackType,
          text: text(stackAl.targetName) as string,
          url: link(stackAl.targetUrl),
          parent: parentAl && text(parentAl.targetName) !== undefined
            ? compact({ title: text(parentAl.targetName) as string, code: text(parentAl.targetCode), url: link(parentAl.targetUrl), description: text(parentAl.targetDescription) })
            : undefined,
        })
      : undefined,
    grades,
    furtherInformation: named(FURTHER_INFORMATION).map(({ al, text: t }) => compact({ text: t, url: link(al.targetUrl) })),
    course: compact({
      code: text(a(COURSE_CODE)[0]),
      language: text(a(LANGUAGE)[0]),
      url: criteria.url,
      studyStart: text(s(STUDY_START)),
      studyEnd: text(s(STUDY_END)),
      assessor: isObject(s(ASSESSOR)) ? organisation(s(ASSESSOR)) : undefined,
      specialization: text(achievement.specialization),
      term: text(subject.term),
      role: text(subject.role),
      licenseNumber: text(subject.licenseNumber),
    }),
    evidence: list(credential.evidence).map((e) =>
      compact({ name: text(e.name), description: text(e.description), narrative: text(e.narrative), url: link(e.id) }))
      .filter((e) => Object.keys(e).length > 0),
    otherAlignments: list(achievement.alignment).filter((al) => !used.has(al)).flatMap((al) => {
      const name = text(al.targetName);
      return name === undefined ? [] : [compact({
        name, url: link(al.targetUrl), code: text(al.targetCode), framework: text(al.targetFramework),
        description: text(al.targetDescription), type: text(al.targetType),
      })];
    }),
    id: text(credential.id),
  };
  return compact(view);
}

/** The supervision setting microcred appends to the option's name ("… (online)"), read back from its English phrase. */
function supervisionSetting(option: SupervisionOption, issued: string): 'online' | 'on-site' | undefined {
  const name = label('en', `value.supervision.${option}`);
  return (['online', 'on-site'] as const).find((setting) => issued === label('en', `value.supervision.${setting}`, { option: name }));
}
