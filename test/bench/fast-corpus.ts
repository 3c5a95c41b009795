/**
 * Seeded generator of varied Open Badges 3.0 credentials for the fast Data Integrity differential test and the
 * benchmark's "mix" workload (internal; not part of the public API).
 *
 * Dimensions: unicode of every kind (accents, CJK, RTL, emoji/ZWJ, combining marks, quotes, backslashes, C0
 * controls, DEL, U+2028/2029, empty and long strings), optional fields present and absent, explicit nulls, 0–5
 * alignments and results, `allowedValue` lists with duplicates, numbers (integers, doubles, −0.25, 1e-7, 1e21,
 * 1.5e10, −0), dates with and without fractions and offsets, `type` as string or array (duplicates, the
 * AchievementCredential alias), issuer as a DID or a Profile, image as IRI or Image object.
 *
 * `generateHostileCredential` adds what an attacker would send (not part of the benchmark's workload): U+0000,
 * other C0 controls, DEL, lone surrogates, U+FEFF, U+2028/2029, U+FFFD and N-Quads delimiters in `@id`s, property
 * keys, type IRIs, IRI-valued properties and literal values, and "boundary-shifted" claims: one token string cut
 * at every pair of boundaries into subject, predicate and value, so that any key built by joining those parts
 * with a separator would merge distinct quads.
 */

export const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
export const OB_303 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

/**
 * mulberry32: small, fast, seeded.
 *
 * @example
 * ```ts
 * const r = rng(42); r(); // 0 <= x < 1, same sequence for the same seed
 * ```
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = [
  'Cybersecurity Fundamentals',
  'Grundlagen der Informatik – Übung',
  'Éducation numérique à l’école',
  '数据科学导论',
  'データサイエンス入門',
  '데이터 과학',
  'מבוא למדעי המחשב',
  'مقدمة في علوم الحاسوب',
  'Физика твёрдого тела',
  'Ελληνικά μαθηματικά',
  '👩‍💻 Coding 🚀 with 👨‍👩‍👧‍👦 families 🏳️‍🌈',
  'e\u0301 combining a\u0308 marks n\u0303',
  'quote " and backslash \\ and \'single\'',
  'line\nbreak\r\nand\ttab',
  'controls \u0000\u0001\u0007\u0008\u000b\u000c\u001b\u001f\u007f end',
  'separators \u2028 and \u2029 here',
  'zero\u200bwidth\u200d joiner \ufeff bom',
  'angle <brackets> {braces} |pipe| ^caret^ `tick`',
  '',
  ' ',
  'x'.repeat(300),
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral 𐐷 𠜎',
];

const NUMBERS = [0, 1, 2, 3, 4, 5, 7.5, 30, 60, 120, 180, -0.25, 1e-7, 1e21, 1.5e10, 2.5, 0.1, 123456789, -0, 9007199254740991, 3.14159];

const DATES = [
  '2024-01-15T10:00:00Z',
  '2024-06-30T23:59:59.123Z',
  '2025-02-28T08:30:00+02:00',
  '2025-12-31T12:00:00.5-05:00',
  '2026-03-01T00:00:00.000000Z',
];

export interface CorpusOptions {
  /** DID of the issuer (the signing key's controller). */
  issuerDid: string;
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function text(r: () => number): string {
  if (r() < 0.15) {
    // random code points across planes, including astral ones
    let s = '';
    const n = 1 + Math.floor(r() * 20);
    for (let i = 0; i < n; i++) {
      const plane = r();
      const cp = plane < 0.5 ? 0x20 + Math.floor(r() * 0x5f) : plane < 0.8 ? 0xa0 + Math.floor(r() * 0xd000) : 0x10000 + Math.floor(r() * 0x2ffff);
      s += String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? 0x41 : cp);
    }
    return s;
  }
  return pick(r, TEXTS);
}

function maybe(r: () => number, p = 0.5): boolean {
  return r() < p;
}

function uuid(r: () => number): string {
  const h = () => Math.floor(r() * 16).toString(16);
  let s = '';
  for (let i = 0; i < 32; i++) s += h();
  return `urn:uuid:${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

function image(r: () => number): unknown {
  return maybe(r) ? `https://img.example.edu/${Math.floor(r() * 1000)}.png` : { id: `https://img.example.edu/i/${Math.floor(r() * 1000)}.png`, type: 'Image', ...(maybe(r) ? { caption: text(r) } : {}) };
}

function alignment(r: () => number): Record<string, unknown> {
  return {
    type: maybe(r) ? ['Alignment'] : 'Alignment',
    targetName: text(r),
    targetUrl: `https://framework.example.org/skills/${Math.floor(r() * 50)}`,
    ...(maybe(r) ? { targetDescription: text(r) } : {}),
    ...(maybe(r) ? { targetFramework: pick(r, ['ESCO', 'SFIA', 'O*NET', text(r)]) } : {}),
    ...(maybe(r) ? { targetCode: pick(r, ['K0001', 'S-12', '42']) } : {}),
    ...(maybe(r) ? { targetType: pick(r, ['ceasn:Competency', 'ceterms:Credential', 'CFItem', 'ext:Custom']) } : {}),
  };
}

function allowedValues(r: () => number): string[] {
  const n = Math.floor(r() * 6);
  const vals: string[] = [];
  for (let i = 0; i < n; i++) vals.push(maybe(r, 0.08) && vals.length > 0 ? (vals[Math.floor(r() * vals.length)] as string) : pick(r, ['A', 'B', 'C', 'D', 'Pass', 'Fail', 'Merit', 'Distinction']));
  return vals;
}

function resultDescription(r: () => number, i: number): Record<string, unknown> {
  return {
    id: `urn:uuid:00000000-0000-4000-a000-${String(i).padStart(12, '0')}`,
    type: 'ResultDescription',
    name: text(r),
    resultType: pick(r, ['LetterGrade', 'Percent', 'GradePointAverage', 'Result', 'ext:ECTSGrade']),
    ...(maybe(r, 0.6) ? { allowedValue: allowedValues(r) } : {}),
    ...(maybe(r, 0.3) ? { valueMin: String(pick(r, NUMBERS)), valueMax: '100' } : {}),
    ...(maybe(r, 0.2) ? { requiredValue: 'C' } : {}),
    ...(maybe(r, 0.2) ? { rubricCriterionLevel: [{ id: `urn:uuid:11111111-0000-4000-a000-${String(i).padStart(12, '0')}`, type: 'RubricCriterionLevel', name: text(r), level: 'Expert', points: '4' }] } : {}),
  };
}

/**
 * One varied credential for seed `seed`.
 *
 * @example
 * ```ts
 * const cred = generateCredential(42, { issuerDid: 'did:key:z6Mk…' });
 * ```
 */
export function generateCredential(seed: number, options: CorpusOptions): Record<string, unknown> {
  const r = rng(seed);
  const nRd = Math.floor(r() * 4);
  const rds = Array.from({ length: nRd }, (_, i) => resultDescription(r, seed * 10 + i));
  const nResults = Math.floor(r() * 6);
  const results = Array.from({ length: nResults }, () => ({
    type: maybe(r) ? ['Result'] : 'Result',
    ...(rds.length > 0 && maybe(r, 0.7) ? { resultDescription: (pick(r, rds) as { id: string }).id } : {}),
    ...(maybe(r, 0.8) ? { value: pick(r, ['A', 'B+', '87', 'Pass', text(r)]) } : {}),
    ...(maybe(r, 0.3) ? { status: pick(r, ['Completed', 'Enrolled', 'Failed']) } : {}),
  }));
  const nAlign = Math.floor(r() * 6);
  const aligns = Array.from({ length: nAlign }, () => alignment(r));
  if (nAlign > 1 && maybe(r, 0.2)) aligns.push(aligns[0] as Record<string, unknown>); // duplicate node in a @set

  const achievement: Record<string, unknown> = {
    id: maybe(r, 0.8) ? `https://example.edu/achievements/${Math.floor(r() * 1e6)}` : uuid(r),
    type: maybe(r) ? ['Achievement'] : 'Achievement',
    name: text(r),
    description: text(r),
    criteria: maybe(r, 0.8) ? { narrative: text(r) } : { id: 'https://example.edu/criteria/1', narrative: text(r) },
    ...(maybe(r) ? { creditsAvailable: pick(r, NUMBERS) } : {}),
    ...(maybe(r) ? { fieldOfStudy: text(r) } : {}),
    ...(maybe(r) ? { specialization: text(r) } : {}),
    ...(maybe(r) ? { humanCode: pick(r, ['CYB4010', 'DS-101', 'Ω-7']) } : {}),
    ...(maybe(r) ? { achievementType: pick(r, ['Course', 'Certificate', 'MicroCredential', 'ext:Module']) } : {}),
    ...(aligns.length > 0 || maybe(r, 0.1) ? { alignment: aligns } : {}),
    ...(rds.length > 0 ? { resultDescription: rds } : {}),
    ...(maybe(r, 0.3) ? { image: image(r) } : {}),
    ...(maybe(r, 0.3) ? { tag: [text(r), 'tag', 'tag'] } : {}),
    ...(maybe(r, 0.2) ? { inLanguage: pick(r, ['en', 'de-DE', 'zh-Hans']) } : {}),
    ...(maybe(r, 0.2) ? { version: '1.0' } : {}),
    ...(maybe(r, 0.15) ? { creator: { id: options.issuerDid, type: ['Profile'], name: text(r) } } : {}),
    ...(maybe(r, 0.1) ? { related: [{ id: 'https://example.edu/achievements/other', type: ['Related'], inLanguage: 'fr', version: '2' }] } : {}),
    ...(maybe(r, 0.1) ? { otherIdentifier: [{ type: 'IdentifierEntry', identifier: 'X-1', identifierType: pick(r, ['identifier', 'ext:LocalId']) }] } : {}),
  };

  const subjectType: unknown = maybe(r, 0.7) ? ['AchievementSubject'] : 'AchievementSubject';
  const hasSubjectId = maybe(r, 0.8);
  const credentialSubject: Record<string, unknown> = {
    ...(hasSubjectId ? { id: maybe(r, 0.1) ? options.issuerDid : `did:example:learner${Math.floor(r() * 1e6)}` } : {}),
    type: subjectType,
    achievement,
    ...(!hasSubjectId || maybe(r, 0.3)
      ? {
          identifier: [
            {
              type: 'IdentityObject',
              identityHash: maybe(r) ? 'student@example.edu' : 'sha256$' + 'ab'.repeat(32),
              identityType: pick(r, ['emailAddress', 'studentId', 'ext:NationalId']),
              hashed: maybe(r),
              ...(maybe(r) ? { salt: 'pepper' } : {}),
            },
          ],
        }
      : {}),
    ...(results.length > 0 || maybe(r, 0.1) ? { result: results } : {}),
    ...(maybe(r) ? { creditsEarned: pick(r, NUMBERS) } : {}),
    ...(maybe(r, 0.4) ? { activityStartDate: pick(r, ['2024-01-15', '2025-09-01']), activityEndDate: '2025-12-20' } : {}),
    ...(maybe(r, 0.4) ? { term: pick(r, ['Fall 2025', 'Wintersemester 2025/26', text(r)]) } : {}),
    ...(maybe(r, 0.1) ? { role: 'Student', licenseNumber: 'L-77' } : {}),
    ...(maybe(r, 0.1) ? { source: { id: 'https://example.edu/faculty', type: 'Profile', name: text(r) } } : {}),
    ...(maybe(r, 0.1) ? { image: image(r) } : {}),
  };

  const issuerProfile = (): Record<string, unknown> => ({
    id: options.issuerDid,
    type: maybe(r) ? 'Profile' : ['Profile'],
    name: text(r),
    ...(maybe(r) ? { url: 'https://example.edu' } : {}),
    ...(maybe(r, 0.3) ? { email: 'registrar@example.edu', phone: '+44 20 7946 0000' } : {}),
    ...(maybe(r, 0.3) ? { description: text(r) } : {}),
    ...(maybe(r, 0.2) ? { image: image(r) } : {}),
    ...(maybe(r, 0.2)
      ? { address: { type: ['Address'], addressCountry: text(r), addressCountryCode: 'GB', addressLocality: 'London', postalCode: 'WC1E 6BT', ...(maybe(r) ? { geo: { type: 'GeoCoordinates', latitude: 51.5246, longitude: -0.134 } } : {}) } }
      : {}),
    ...(maybe(r, 0.2) ? { otherIdentifier: [{ type: 'IdentifierEntry', identifier: 'UKPRN 10007784', identifierType: 'ext:UKPRN' }] } : {}),
    ...(maybe(r, 0.1) ? { parentOrg: { id: 'https://example.org/parent', type: 'Profile', name: text(r) } } : {}),
    ...(maybe(r, 0.1) ? { official: text(r) } : {}),
  });

  const types = pick(r, [
    ['VerifiableCredential', 'OpenBadgeCredential'],
    ['VerifiableCredential', 'AchievementCredential'],
    ['VerifiableCredential', 'OpenBadgeCredential', 'AchievementCredential'],
    ['OpenBadgeCredential', 'VerifiableCredential', 'VerifiableCredential'],
  ]);
  const cred: Record<string, unknown> = {
    '@context': [VC_V2, OB_303],
    id: maybe(r, 0.85) ? uuid(r) : `https://example.edu/credentials/${Math.floor(r() * 1e9)}`,
    type: types,
    issuer: maybe(r) ? options.issuerDid : issuerProfile(),
    validFrom: pick(r, DATES),
    ...(maybe(r, 0.3) ? { validUntil: '2030-01-01T00:00:00Z' } : {}),
    ...(maybe(r, 0.8) ? { name: text(r) } : {}),
    ...(maybe(r, 0.4) ? { description: text(r) } : {}),
    ...(maybe(r, 0.4) ? { awardedDate: pick(r, DATES) } : {}),
    ...(maybe(r, 0.2) ? { image: image(r) } : {}),
    credentialSubject,
    ...(maybe(r, 0.2)
      ? { credentialStatus: { id: 'https://example.edu/status/1#' + Math.floor(r() * 131072), type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(Math.floor(r() * 131072)), statusListCredential: 'https://example.edu/status/1' } }
      : {}),
    ...(maybe(r, 0.2) ? { credentialSchema: [{ id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json', type: 'JsonSchema' }] } : {}),
    ...(maybe(r, 0.15) ? { evidence: [{ type: ['Evidence'], name: text(r), narrative: text(r), ...(maybe(r) ? { id: 'https://example.edu/evidence/1' } : {}), genre: 'Project', audience: 'Public' }] } : {}),
    ...(maybe(r, 0.1) ? { description: null } : {}),
  };
  return cred;
}

/**
 * `count` varied credentials from `seed`.
 *
 * @example
 * ```ts
 * const corpus = generateCorpus(2026, 600, { issuerDid });
 * ```
 */
export function generateCorpus(seed: number, count: number, options: CorpusOptions): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) out.push(generateCredential(seed * 100003 + i, options));
  return out;
}

/**
 * Characters placed where a joined-string key would put its separator, or where N-Quads escaping, JSON-LD's
 * absolute-IRI test (`\s`) or UTF-8 encoding (lone surrogates become U+FFFD) treat strings specially.
 */
export const HOSTILE_CHARS: readonly string[] = [
  '\u0000', '\u0001', '\u0008', '\u0009', '\u000a', '\u000b', '\u000c', '\u000d', '\u001f', ' ', '\u007f', '\u0085',
  '\u00a0', '\u200b', '\u2028', '\u2029', '\ufeff', '\ufffd', '\ufffe', '\uffff', '\ud800', '\udbff', '\udc00', '\udfff',
  '<', '>', '"', '\\', '{', '}', '|', '^', '`', '#', '/', ':', '@', '_',
];

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const SCHEMA_NAME = 'https://schema.org/name';
/** Tokens of the boundary-shifted strings: IRIs (so the cut parts stay absolute) and short tags and keywords. */
const IRI_TOKENS = ['urn:a', 'urn:b', 'urn:c', 'urn:x', RDF_TYPE, SCHEMA_NAME];
const TAG_TOKENS = ['s', 'i', 'n', 'b', 'l', 'x', 'y', '@type', '@id', '', 'http://www.w3.org/2001/XMLSchema#string'];

/** U+0000 in about a third of the draws (the separator joined keys used), any other hostile character otherwise. */
function hostileChar(r: () => number): string {
  return r() < 0.35 ? '\u0000' : pick(r, HOSTILE_CHARS);
}

/** A string with hostile characters (literal values). */
function hostileText(r: () => number): string {
  let s = '';
  for (let i = 0, n = 1 + Math.floor(r() * 6); i < n; i++) s += maybe(r) ? hostileChar(r) : pick(r, ['a', 'x', 'é', '数', '😀', ' ', text(r)]);
  return s;
}

/** An IRI-shaped string with a hostile character inside (may stop being absolute, then both sides must refuse). */
function hostileIri(r: () => number, base: string): string {
  return base + hostileChar(r) + pick(r, ['', 'x', 'urn:y', '#f', '/p']);
}

interface Claim {
  s: string;
  p: string;
  v: string;
}

/**
 * One token string cut at every pair of boundaries (i < j) into subject t[0..i), predicate t[i..j) and value
 * t[j..n), joined with one hostile separator. Subjects and predicates start with an IRI token.
 */
function boundaryShiftedClaims(r: () => number): { sep: string; claims: Claim[] } {
  const sep = hostileChar(r);
  const n = 3 + Math.floor(r() * 4);
  const t: string[] = [pick(r, IRI_TOKENS)];
  for (let i = 1; i < n; i++) t.push(maybe(r, 0.55) ? pick(r, IRI_TOKENS) : pick(r, TAG_TOKENS));
  const join = (a: number, b: number) => t.slice(a, b).join(sep);
  const claims: Claim[] = [];
  for (let i = 1; i < n - 1; i++) {
    if (!IRI_TOKENS.includes(t[i] as string)) continue;
    for (let j = i + 1; j < n; j++) claims.push({ s: join(0, i), p: join(i, j), v: join(j, n) });
  }
  return { sep, claims };
}

/**
 * A varied credential (as `generateCredential`) with hostile strings and boundary-shifted claims grafted on:
 * named nodes (the credential itself when its id is the claims' first subject, else nodes under `urn:link`,
 * several nodes per id so they merge), one blank node whose keys share predicates (so it de-duplicates per
 * node), types, IRI-valued properties, keys and literal values with hostile characters.
 *
 * @example
 * ```ts
 * const cred = generateHostileCredential(7, { issuerDid: 'did:key:z6Mk…' });
 * ```
 */
export function generateHostileCredential(seed: number, options: CorpusOptions): Record<string, unknown> {
  const cred = generateCredential(seed, options);
  const r = rng(seed ^ 0x5bd1e995);
  const { claims } = boundaryShiftedClaims(r);
  const first = claims[0];
  if (first && maybe(r)) cred.id = first.s;
  const valueOf = (v: string): unknown => {
    if (IRI_TOKENS.some((x) => v.startsWith(x)) && maybe(r)) return { id: v };
    return v;
  };
  const links: Record<string, unknown>[] = [];
  const blank: Record<string, unknown> = { name: 'n', [SCHEMA_NAME]: 'm' };
  const add = (node: Record<string, unknown>, key: string, value: unknown) => {
    const prev = node[key];
    node[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  };
  for (const c of claims) {
    const value = valueOf(c.v);
    if (c.s === cred.id) {
      if (c.p === RDF_TYPE && typeof value === 'string' && maybe(r)) continue; // keep the credential's own types
      add(cred, c.p, value);
    } else if (maybe(r, 0.2) && IRI_TOKENS.some((x) => c.v.startsWith(x))) {
      links.push({ id: c.s, type: c.v });
    } else {
      links.push({ id: c.s, [c.p]: value });
    }
    add(blank, c.p, c.v);
  }
  if (links.length > 0) cred['urn:link'] = links;
  if (claims.length > 0 && maybe(r, 0.7)) cred['urn:blank'] = maybe(r) ? blank : [blank, structuredClone(blank)];
  // Scattered hostile strings.
  if (maybe(r, 0.5)) cred.name = hostileText(r);
  if (maybe(r, 0.4)) cred[hostileIri(r, 'urn:key')] = hostileText(r);
  if (maybe(r, 0.3)) cred.image = hostileIri(r, 'https://img.example.edu/i');
  const subject = cred.credentialSubject as Record<string, unknown>;
  const achievement = subject.achievement as Record<string, unknown>;
  if (maybe(r, 0.3)) achievement.id = hostileIri(r, 'https://example.edu/achievements/');
  if (maybe(r, 0.3)) achievement.description = hostileText(r);
  if (maybe(r, 0.2)) achievement.tag = [hostileText(r), hostileText(r)];
  if (maybe(r, 0.2)) achievement.alignment = [{ type: 'Alignment', targetName: hostileText(r), targetUrl: hostileIri(r, 'https://framework.example.org/') }];
  if (maybe(r, 0.2)) subject[hostileIri(r, 'urn:subject-key')] = { [hostileIri(r, 'urn:p')]: hostileText(r) };
  return cred;
}

/**
 * `count` hostile credentials from `seed` (the differential test's attacker corpus).
 *
 * @example
 * ```ts
 * const corpus = generateHostileCorpus(7, 300, { issuerDid });
 * ```
 */
export function generateHostileCorpus(seed: number, count: number, options: CorpusOptions): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) out.push(generateHostileCredential(seed * 100003 + i, options));
  return out;
}

export { sampleCredential } from '../../src/lib/fast-rdfc/sample.js';
