/**
 * Realistic stacking fixtures, issued in the test run with real keys (generated once per test file and shared):
 * a learner (Aisha Rahman, with her own did:key) holding micro-credentials from a home university (did:web, with a
 * signed Bitstring status list), a consortium partner, a Scottish university (SCQF), and a foreign issuer whose
 * OB 3.0 credential states a bare `creditsAvailable`. Everything is served by a map-based guarded fetch.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-ignore -- no type declarations
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { buildCredential } from '../src/credential/annex1.js';
import { didWebDocument } from '../src/did/web-document.js';
import { issueCredential } from '../src/issue.js';
import { generateKeySet, type KeySet } from '../src/keyset/keyset.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { PACKAGE_ROOT } from '../src/lib/paths.js';
import { DataIntegrityProof, eddsaRdfc2022, vc as vcLib } from '../src/proof/vendor.js';
import type { CompletionRecord, IssuerProfile } from '../src/record/types.js';
import { createStatusList, encodeStatusList, setBit } from '../src/status/bitstring.js';
import { mapFetch } from './verify-helpers.js';

const vc = vcLib as unknown as {
  createPresentation(o: Record<string, unknown>): Record<string, unknown>;
  signPresentation(o: Record<string, unknown>): Promise<Record<string, unknown>>;
};

export const NOW = new Date('2026-08-01T00:00:00Z');
export const LEARNER = { name: 'Aisha Rahman', email: 'Aisha.Rahman@example.org', studentId: 'A1234567' };

export interface Provider {
  keys: KeySet;
  profile: IssuerProfile;
  host: string;
}

export interface Holder {
  did: string;
  sign(credentials: unknown[], options?: { challenge?: string; holder?: string; domain?: string }): Promise<Record<string, unknown>>;
}

export interface StackingFixtures {
  providers: { a: Provider; b: Provider; s: Provider; other: Provider };
  learner: Holder;
  stranger: Holder;
  fetch: ReturnType<typeof mapFetch>;
  statusListUrl: string;
  /** Signed credentials by name. */
  c: Record<
    'a1' | 'a1Reissued' | 'a2' | 'a3Revoked' | 'a5Level5' | 'aOld' | 'aBen' | 'b1' | 'b2' | 'b3Business' | 's1' | 'other',
    Record<string, unknown>
  >;
}

async function provider(dir: string, host: string, name: string, url: string, region = 'England'): Promise<Provider> {
  const keys = await generateKeySet({ dir: path.join(dir, host), didWeb: host, jwtAlg: 'EdDSA', now: new Date('2024-01-01T00:00:00Z') });
  return { keys, host, profile: { name, url, country: 'United Kingdom', countryCode: 'GB', region } };
}

async function holder(seedByte: number): Promise<Holder> {
  const seed = new Uint8Array(32).fill(seedByte);
  const probe = await Ed25519Multikey.generate({ seed });
  const did = `did:key:${probe.publicKeyMultibase}`;
  const key = await Ed25519Multikey.generate({ seed, controller: did });
  key.id = `${did}#${probe.publicKeyMultibase}`;
  const documentLoader = createDocumentLoader();
  return {
    did,
    async sign(credentials, options = {}) {
      const presentation = vc.createPresentation({ verifiableCredential: credentials, holder: options.holder ?? did, version: 2.0 });
      const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022, date: '2026-07-30T10:00:00Z' });
      return vc.signPresentation({
        presentation,
        suite,
        challenge: options.challenge ?? 'c0ae1c8e-1d3c-4b2a-9a8e-stacking-test',
        ...(options.domain ? { domain: options.domain } : {}),
        documentLoader,
      });
    },
  };
}

interface ModuleSpec {
  code: string;
  title: string;
  credits: number;
  level: { framework: 'FHEQ' | 'SCQF'; level: number };
  cah: string;
  hecos?: string;
  completed: string;
  learnerName?: string;
  learnerDid?: string;
  validFrom?: string;
  status?: Record<string, unknown>;
}

let base: CompletionRecord | undefined;

async function record(spec: ModuleSpec, learnerDid: string): Promise<CompletionRecord> {
  base ??= JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'examples', 'record.json'), 'utf8')) as CompletionRecord;
  const r = structuredClone(base);
  r.recordId = `${spec.code}-${spec.completed}`;
  r.learner = spec.learnerName
    ? { fullName: spec.learnerName, email: 'ben.carter@example.org', studentId: 'B7654321', did: spec.learnerDid ?? learnerDid }
    : { fullName: LEARNER.name, email: LEARNER.email.toLowerCase(), studentId: LEARNER.studentId, did: spec.learnerDid ?? learnerDid };
  r.course.code = spec.code;
  r.course.title = spec.title;
  r.course.credits = { uk: spec.credits };
  r.course.level = { framework: spec.level.framework, level: spec.level.level };
  r.course.subjects = { hecos: [{ code: spec.hecos ?? '100366', term: 'computer science' }], cah: [{ code: spec.cah, term: 'subject' }] };
  delete r.course.stackability;
  r.result.completionDate = spec.completed;
  delete r.result.activityStartDate;
  delete r.result.activityEndDate;
  return r;
}

async function issueModule(p: Provider, spec: ModuleSpec, learnerDid: string): Promise<Record<string, unknown>> {
  const credential = buildCredential(p.profile, await record(spec, learnerDid), {
    issuerId: p.keys.controller,
    validFrom: spec.validFrom ?? `${spec.completed}T12:00:00Z`,
    salt: 'f3a1c2d4e5b60718',
    ...(spec.status ? { credentialStatus: spec.status } : {}),
  });
  return (await issueCredential(credential, { format: 'di', keys: p.keys, created: '2026-07-01T00:00:00Z' })) as Record<string, unknown>;
}

/** A foreign OB 3.0 credential: no microcred alignments, only `creditsAvailable` (credit hours, no unit). */
async function foreignCredential(p: Provider, learnerDid: string): Promise<Record<string, unknown>> {
  const credential = {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:5f1d7d0e-4b0c-4a53-9d71-8c7f4fd1a001',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Applied Cryptography',
    issuer: { id: p.keys.controller, type: ['Profile'], name: p.profile.name, url: p.profile.url },
    validFrom: '2025-11-20T09:00:00Z',
    credentialSubject: {
      id: learnerDid,
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://learn.other.example.com/achievements/applied-cryptography',
        type: ['Achievement'],
        name: 'Applied Cryptography',
        description: 'An online course in applied cryptography.',
        criteria: { narrative: 'Passed the final assessment.' },
        creditsAvailable: 3,
        humanCode: 'CRYPT-301',
      },
    },
  };
  return (await issueCredential(credential, { format: 'di', keys: p.keys, created: '2026-07-01T00:00:00Z' })) as Record<string, unknown>;
}

let cached: Promise<StackingFixtures> | undefined;

/** The fixtures, built once per test file. */
export function stackingFixtures(): Promise<StackingFixtures> {
  return (cached ??= build());
}

async function build(): Promise<StackingFixtures> {
  const dir = await mkdtemp(path.join(tmpdir(), 'microcred-stacking-'));
  const [a, b, s, other, learner, stranger] = await Promise.all([
    provider(dir, 'credentials.uni-a.example.ac.uk', 'University of Aldmoor', 'https://www.uni-a.example.ac.uk/'),
    provider(dir, 'badges.uni-b.example.ac.uk', 'Bramford University', 'https://www.uni-b.example.ac.uk/'),
    provider(dir, 'creds.uni-s.example.ac.uk', 'University of Strathglen', 'https://www.uni-s.example.ac.uk/', 'Scotland'),
    provider(dir, 'learn.other.example.com', 'Other Learning Co', 'https://learn.other.example.com/'),
    holder(42),
    holder(43),
  ]);
  const statusListUrl = `https://${a.host}/status/revocation/1`;
  const bits = createStatusList();
  setBit(bits, 7, true);
  const statusList = await issueCredential(
    {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: statusListUrl,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: a.keys.controller,
      validFrom: '2026-07-01T00:00:00Z',
      credentialSubject: { id: `${statusListUrl}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: await encodeStatusList(bits) },
    },
    { format: 'di', keys: a.keys, created: '2026-07-01T00:00:00Z' },
  );
  const entry = (index: number) => ({
    id: `${statusListUrl}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: statusListUrl,
  });
  const L = learner.did;
  const fheq6 = { framework: 'FHEQ' as const, level: 6 };
  const [a1, a1Reissued, a2, a3Revoked, a5Level5, aOld, aBen, b1, b2, b3Business, s1, foreign] = await Promise.all([
    issueModule(a, { code: 'CS601', title: 'Software Architecture', credits: 30, level: fheq6, cah: 'CAH11-01-01', completed: '2025-01-20', status: entry(3) }, L),
    issueModule(a, { code: 'CS601', title: 'Software Architecture', credits: 30, level: fheq6, cah: 'CAH11-01-01', completed: '2025-01-20', validFrom: '2026-03-01T09:00:00Z', status: entry(4) }, L),
    issueModule(a, { code: 'CS602', title: 'Machine Learning', credits: 30, level: fheq6, cah: 'CAH11-01-01', completed: '2025-06-10' }, L),
    issueModule(a, { code: 'CS603', title: 'Cloud Computing', credits: 30, level: fheq6, cah: 'CAH11-01-01', completed: '2025-12-12', status: entry(7) }, L),
    issueModule(a, { code: 'CS505', title: 'Web Development', credits: 30, level: { framework: 'FHEQ', level: 5 }, cah: 'CAH11-01-01', completed: '2024-06-01' }, L),
    issueModule(a, { code: 'CS590', title: 'Databases', credits: 30, level: fheq6, cah: 'CAH11-01-01', completed: '2018-05-01' }, L),
    issueModule(a, { code: 'CS604', title: 'Computer Vision', credits: 30, level: fheq6, cah: 'CAH11-01-01', completed: '2025-06-10', learnerName: 'Ben Carter', learnerDid: stranger.did }, L),
    issueModule(b, { code: 'BR610', title: 'Information Security', credits: 30, level: fheq6, cah: 'CAH11-01-01', completed: '2025-09-01' }, L),
    issueModule(b, { code: 'BR620', title: 'Human-Computer Interaction', credits: 30, level: fheq6, cah: 'CAH11-01-05', completed: '2026-01-15' }, L),
    issueModule(b, { code: 'BR630', title: 'Business Analytics', credits: 20, level: fheq6, cah: 'CAH17-01-01', hecos: '100078', completed: '2026-02-20' }, L),
    issueModule(s, { code: 'SG1001', title: 'Data Visualisation', credits: 30, level: { framework: 'SCQF', level: 10 }, cah: 'CAH11-01-01', completed: '2025-05-30' }, L),
    foreignCredential(other, L),
  ]);
  const routes: Record<string, unknown> = { [statusListUrl]: statusList };
  for (const p of [a, b, s, other]) routes[`https://${p.host}/.well-known/did.json`] = didWebDocument(p.keys);
  return {
    providers: { a, b, s, other },
    learner,
    stranger,
    fetch: mapFetch(routes),
    statusListUrl,
    c: {
      a1: a1 as Record<string, unknown>, a1Reissued: a1Reissued as Record<string, unknown>, a2: a2 as Record<string, unknown>,
      a3Revoked: a3Revoked as Record<string, unknown>, a5Level5: a5Level5 as Record<string, unknown>, aOld: aOld as Record<string, unknown>,
      aBen: aBen as Record<string, unknown>, b1: b1 as Record<string, unknown>, b2: b2 as Record<string, unknown>,
      b3Business: b3Business as Record<string, unknown>, s1: s1 as Record<string, unknown>, other: foreign,
    },
  };
}

/** The top-up's rules: 120 UK credits, 90 at FHEQ 6, at most half from other providers, the consortium only. */
export function topUpRules(fx: StackingFixtures, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'BSc (Hons) Computing (top-up)',
    parent: { name: 'BSc (Hons) Computing (top-up)', code: 'BSC-COMP-TU', url: 'https://www.uni-a.example.ac.uk/courses/bsc-computing-top-up' },
    totalCredits: 120,
    minimums: [{ id: 'level6', minCredits: 90, level: { framework: 'FHEQ', atLeast: 6 } }],
    homeProviders: [{ did: fx.providers.a.keys.controller }],
    rpl: { maxShare: 0.5 },
    recognisedProviders: [{ domain: 'uni-a.example.ac.uk' }, { did: fx.providers.b.keys.controller }],
    ...extra,
  };
}
