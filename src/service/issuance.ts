/**
 * Internal: issuing from completion records (idempotent on recordId), issuing VC-API credentials, and status changes.
 * The status index is claimed ahead (status-reserve.ts), the credential signed outside any transaction, and the
 * credential row with its audit entry written in ONE statement guarded by a compare-and-set on the record.
 *
 * Status design (revocation AND suspension with OB 3.0's single credentialStatus):
 * - OB 3.0 allows one `credentialStatus` object (schema 0..1; an array fails the official JSON Schema), and
 *   Bitstring Status List says a `revocation` bit is not reversible. So each credential carries exactly ONE
 *   `BitstringStatusListEntry`, purpose `revocation`, pointing at the issuer's revocation list: every OB/VC verifier
 *   sees revocation, and the credential validates against the OB schema.
 * - Each credential also owns the SAME index in the issuer's suspension list (one allocation covers both lists;
 *   `status_lists` holds both bitstrings). Suspend/unsuspend flips that bit; the suspension list is published and
 *   signed like the revocation list, the API returns the entry as `suspensionStatus`, and this service's verifier
 *   (`/credentials/verify`, `/presentations/verify`) fails the status check of a suspended credential.
 * - Limitation, by design: a third-party verifier that reads only `credentialStatus` sees revocation, not a
 *   suspension. The alternatives break a standard (an entry array fails the OB schema; clearing a revocation bit
 *   contradicts BSL), so suspension is an issuer-side, reversible hold; use revocation for anything that must
 *   reach every verifier.
 */
import { createHash, randomUUID } from 'node:crypto';
import { buildValidatedCredential } from '../credential/annex1.js';
import { prepareVcApiCredential, shapeProof, withCredentialStatus } from '../credential/vc-api.js';
import type { PreparedCredential } from '../credential/vc-api.js';
import { MicrocredError } from '../errors.js';
import { issueCredential } from '../issue.js';
import type { CryptosuiteName } from '../keyset/cryptosuites.js';
import type { JwtAlg, KeySet } from '../keyset/keyset.js';
import type { JwsAlg, JwtProfile } from '../proof/jwt.js';
import type { CompletionRecord } from '../record/types.js';
import { microcredProfileSchemaUrl } from '../schema/validate-profile.js';
import { recordAudit } from '../store/audit.js';
import {
  currentCredentialsForRecord,
  findCredentialById,
  getCredential,
  insertIssuedCredential,
  updateCredentialStatus,
} from '../store/credentials.js';
import type { CredentialFormat, CredentialRow, NewCredentialRow } from '../store/credentials.js';
import { isUniqueViolation } from '../store/db.js';
import type { Queryable } from '../store/db.js';
import { setStatusBit } from '../store/status-lists.js';
import type { Allocation, StatusPurpose } from '../store/status-lists.js';
import { catalogueSnapshot } from '../store/courses.js';
import type { LoadedIssuer, ServiceContext } from './context.js';
import { achievementImageUrl } from './page-urls.js';
import { checkText } from './params.js';
import { HttpProblem, problems } from './problem.js';
import { lookupKey, resolveRecord } from './record-resolution.js';

/**
 * Stable JSON (keys sorted) so equal records hash equally whatever the key order.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  // Stored record hashes depend on these exact bytes: keys in UTF-16 code-unit order (the default sort), members
  // whose value is undefined left out, an undefined array item written as nothing. Written as loops: it runs on
  // every record of a bulk job (a few hundred keys each).
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item = canonicalJson(value[i]) as string | undefined;
      if (item !== undefined) out += item;
    }
    return `${out}]`;
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * The sha256 of a UTF-8 string or of bytes, hex.
 *
 * @example
 * ```ts
 * const recordHash = sha256Hex(canonicalJson(record));
 * ```
 */
export function sha256Hex(data: string | Uint8Array): string {
  return typeof data === 'string' ? createHash('sha256').update(data, 'utf8').digest('hex') : createHash('sha256').update(data).digest('hex');
}

export interface IssueOutcome {
  /** `issued`: a new credential; `existing`: the record was already issued unchanged (idempotent retry). */
  outcome: 'issued' | 'existing';
  row: CredentialRow;
  /** Credentials revoked and replaced by a re-issue. */
  superseded: string[];
}

/** How a credential is secured: a Data Integrity proof of a cryptosuite, or a JWT of an algorithm and profile. */
export interface ProofChoice {
  format: CredentialFormat;
  /** di: the cryptosuite (default: {@link defaultCryptosuite} of the issuer's keys). */
  cryptosuite?: CryptosuiteName;
  /** jwt: the algorithm (default: the key set's) and profile (default: by the credential's type). */
  alg?: JwsAlg;
  profile?: JwtProfile;
}

interface SignRequest {
  recordId: string;
  recordHash: string;
  proof: ProofChoice;
  learner: { studentId?: string; email?: string; did?: string };
  /** Purposes of the status entries the credential carries (default: revocation); one index serves them all. */
  statusPurposes?: readonly StatusPurpose[];
  /** Builds the unsigned credential once the id and status entries are known. */
  build(id: string, statusEntries: Record<string, unknown>[]): Record<string, unknown>;
  /** di: `proof` as one object or as a list in the stored credential (default: the list the signer returns). */
  proofShape?: 'list' | 'object';
  id?: string;
  awardedDateOf(credential: Record<string, unknown>): string;
  /** Ids of the record's current credentials when the request decided what to do: the write happens only if they still are. */
  expectedCurrent: readonly string[];
  supersede: CredentialRow[];
  actor: string;
  action: string;
  /** The course of a completion record, and its catalogue version when it was completed from the catalogue. */
  course?: { code: string; version?: number };
  /** Runs in the issuing transaction once the row is written (queueing the claim e-mail with it). */
  onStored?: (tx: Queryable, row: CredentialRow) => Promise<void>;
}

function recordProblems(problemsList: unknown): HttpProblem {
  const list = Array.isArray(problemsList) ? problemsList : [];
  return problems.invalid(
    'record-invalid',
    'Invalid completion record',
    `The completion record has ${list.length} problem${list.length === 1 ? '' : 's'}; see "problems" for each with its JSON path, what was expected and what was found.`,
    { problems: list },
  );
}

/**
 * Maps core errors to problems (anything else propagates as a 500).
 *
 * @example
 * ```ts
 * throw coreErrorToProblem(e); // RECORD_INVALID -> 422 problem listing every record problem
 * ```
 */
export function coreErrorToProblem(e: unknown): unknown {
  if (!(e instanceof MicrocredError)) return e;
  switch (e.code) {
    case 'RECORD_INVALID':
      return recordProblems(e.details);
    case 'PROFILE_INVALID':
      return problems.invalid('profile-invalid', 'Invalid issuer profile', e.message, Array.isArray(e.details) ? { problems: e.details } : {});
    case 'CREDENTIAL_INVALID':
      return problems.invalid('credential-invalid', 'Invalid credential', e.message, e.details !== undefined ? { problems: [e.details].flat() } : {});
    case 'UNKNOWN_CONTEXT':
      return problems.invalid('unknown-context', 'Unknown JSON-LD context', e.message);
    case 'UNSUPPORTED':
      return problems.invalid('unsupported', 'Not supported', e.message);
    case 'DATABASE_UNAVAILABLE':
      // The commit of an issuance may or may not have happened when the connection broke; issuing is idempotent on
      // recordId, so sending the request again is always safe.
      return problems.unavailable(
        'The database could not be reached or the connection to it was lost while handling this request. Send the request again in a moment: issuing is idempotent on recordId, so a retry returns the stored credential or issues it.',
        5,
        e,
      );
    default:
      return e;
  }
}

/**
 * Thrown inside the issuing transaction when the record's current credentials are no longer those the request read:
 * a concurrent request issued or re-issued the record first. Nothing was written.
 */
class RecordChanged extends Error {
  constructor() {
    super('the current credentials of the record changed while the request was handled');
    this.name = 'RecordChanged';
  }
}

/** True when the write lost to a concurrent request on the same record (nothing of it was stored). */
function lostToConcurrentRequest(e: unknown): boolean {
  return e instanceof RecordChanged || isUniqueViolation(e, 'credentials_current_record');
}

/**
 * The Data Integrity cryptosuite an issuer signs with when none is asked for: eddsa-rdfc-2022, or ecdsa-rdfc-2019 for
 * a key set that holds only a P-256 key (a `did:key:zDn…` issuer).
 *
 * @example
 * ```ts
 * defaultCryptosuite(keys); // 'eddsa-rdfc-2022'
 * ```
 */
export function defaultCryptosuite(keys: KeySet): CryptosuiteName {
  return keys.keys.some((k) => k.active && k.alg === 'Ed25519') || !keys.keys.some((k) => k.active && k.alg === 'ES256') ? 'eddsa-rdfc-2022' : 'ecdsa-rdfc-2019';
}

/**
 * The key that will sign with `proof` (its id is stored with the credential, so the key stays published while the
 * credential is valid). Throws the core error naming the option when the key set has no key for it.
 *
 * @example
 * ```ts
 * signingKeyId(keys, { format: 'di', cryptosuite: 'ecdsa-rdfc-2019' }); // the P-256 key's id
 * ```
 */
export function signingKeyId(keys: KeySet, proof: ProofChoice): string {
  if (proof.format === 'di') return keys.dataIntegrityKey(proof.cryptosuite ?? defaultCryptosuite(keys)).id;
  const alg = proof.alg ?? keys.defaultJwtAlg();
  if (alg === 'ES384') {
    throw new MicrocredError('UNSUPPORTED', 'ES384 needs a P-384 key, which issuer key sets do not hold; use ES256 (a P-256 key) or EdDSA (an Ed25519 key).', { option: 'alg', found: alg });
  }
  return keys.activeKey('jwt', alg).id;
}

/**
 * `signingKeyId` for a hosted issuer: a did:web issuer without the key a request needs (one created with EdDSA JWTs
 * only, asked for ecdsa-rdfc-2019 or ES256) is told how to add it here; a did:key issuer cannot add keys, and the
 * core error says what it can sign.
 */
function serviceSigningKeyId(issuer: LoadedIssuer, proof: ProofChoice): string {
  try {
    return signingKeyId(issuer.keys, proof);
  } catch (e) {
    const missingKey = e instanceof MicrocredError && (e.code === 'UNSUPPORTED' || e.code === 'KEY_NOT_FOUND') && !issuer.keys.controller.startsWith('did:key:');
    const alg = proof.format === 'di' ? (proof.cryptosuite === 'ecdsa-rdfc-2019' ? 'ES256' : 'Ed25519') : proof.alg === 'EdDSA' ? 'Ed25519' : 'ES256';
    if (!missingKey || proof.alg === 'ES384') throw coreErrorToProblem(e);
    const slug = issuer.row.slug;
    throw problems.invalid(
      'unsupported',
      'Not supported',
      `${(e as Error).message.split(';')[0]}. Add one with POST /issuers/${slug}/keys/rotate {"alg": "${alg}"} (admin scope) or \`microcred issuers rotate-key --slug ${slug} --alg ${alg}\`; ` +
        'the DID document publishes the new key at once.',
      { option: proof.format === 'di' ? 'cryptosuite' : 'alg' },
    );
  }
}

/** Signs `unsigned` as asked, timed in the signing metric; the fast eddsa-rdfc-2022 implementation where it applies. */
async function signCredential(ctx: ServiceContext, keys: KeySet, unsigned: Record<string, unknown>, req: SignRequest): Promise<object | string> {
  const { proof } = req;
  const started = performance.now();
  try {
    if (proof.format === 'jwt') {
      return await issueCredential(unsigned, { format: 'jwt', keys, ...(proof.alg ? { alg: proof.alg } : {}), ...(proof.profile ? { profile: proof.profile } : {}) });
    }
    const name = proof.cryptosuite ?? defaultCryptosuite(keys);
    const signed = await issueCredential(unsigned, {
      format: 'di',
      keys,
      documentLoader: ctx.documentLoader,
      cryptosuite: name === 'eddsa-rdfc-2022' ? ctx.cryptosuite : name,
    });
    return req.proofShape ? shapeProof(signed as Record<string, unknown>, req.proofShape) : signed;
  } finally {
    ctx.metrics.signing.observe({ format: proof.format }, (performance.now() - started) / 1000);
  }
}

/**
 * The `BitstringStatusListEntry` of one purpose for an allocated index: the issuer's list of that purpose with the
 * same number (one allocation holds the index in every purpose's list).
 *
 * @example
 * ```ts
 * statusEntry(ctx, 'northbridge', 'suspension', { listId: 3, seq: 1, index: 7 }).statusListCredential; // …/status-lists/suspension/1
 * ```
 */
export function statusEntry(ctx: ServiceContext, slug: string, purpose: StatusPurpose, alloc: Allocation): Record<string, unknown> {
  const listUrl = ctx.statusListUrl(slug, purpose, alloc.seq);
  return { id: `${listUrl}#${alloc.index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose, statusListIndex: String(alloc.index), statusListCredential: listUrl };
}

/** Revokes the credentials a re-issue replaces (inside its transaction). */
async function supersede(tx: Queryable, slug: string, req: SignRequest, byId: string): Promise<void> {
  for (const old of req.supersede) {
    await setStatusBit(tx, old.statusListId, 'revocation', old.statusIndex, true);
    await updateCredentialStatus(tx, old.id, 'revoked', 'superseded by a re-issue', byId);
    await recordAudit(tx, { actor: req.actor, issuerSlug: slug, action: 'credential.revoke', target: old.id, reason: 'superseded by a re-issue', details: { supersededBy: byId } });
  }
}

/** The write of an issuance: one statement, or for a re-issue one transaction that also revokes what it replaces. */
async function store(ctx: ServiceContext, slug: string, req: SignRequest, row: NewCredentialRow, claimedAs: string): Promise<CredentialRow | undefined> {
  const audit = { actor: req.actor, action: req.action, details: { recordId: req.recordId, format: req.proof.format } };
  if (req.supersede.length === 0 && !req.onStored) return insertIssuedCredential(ctx.db, row, audit, { expectedCurrent: req.expectedCurrent, claimedAs });
  if (req.supersede.length === 0) {
    // With what must be written alongside (the claim e-mail): one transaction.
    return ctx.db.transaction(async (tx) => {
      const stored = await insertIssuedCredential(tx, row, audit, { expectedCurrent: req.expectedCurrent, claimedAs });
      if (stored && req.onStored) await req.onStored(tx, stored);
      return stored;
    });
  }
  return ctx.db.transaction(async (tx) => {
    // Compare-and-set on the record: lock its current credentials and check they are still the ones the decision
    // was made on (a concurrent re-issue holding them makes us wait; when it commits they are no longer current).
    const locked = (await currentCredentialsForRecord(tx, slug, req.recordId, true)).map((c) => c.id).sort();
    const expected = [...req.expectedCurrent].sort();
    if (locked.length !== expected.length || locked.some((v, i) => v !== expected[i])) return undefined;
    // Before the insert: the replaced credential of the same format must stop being current first.
    await supersede(tx, slug, req, row.id);
    const replaced = new Set(req.supersede.map((c) => c.id));
    const stored = await insertIssuedCredential(tx, row, audit, { expectedCurrent: expected.filter((e) => !replaced.has(e)), claimedAs });
    if (stored && req.onStored) await req.onStored(tx, stored);
    return stored;
  });
}

/**
 * The signed credential object of a row this process has just stored (the row's `credential` is its JSON text), so
 * the answer to the request does not parse the text it has just serialised. Keyed by the row object: nothing else
 * can reach it, and it goes when the row does.
 */
const signedOfStored = new WeakMap<CredentialRow, object>();

/**
 * The signed Data Integrity credential of a row as an object: the one just signed when this process stored the row,
 * otherwise its stored text parsed (the same JSON either way).
 *
 * @example
 * ```ts
 * const credential = storedCredentialObject(row); // { '@context': [...], proof: [...], ... }
 * ```
 */
export function storedCredentialObject(row: CredentialRow): unknown {
  return signedOfStored.get(row) ?? JSON.parse(row.credential);
}

async function signAndStore(ctx: ServiceContext, issuer: LoadedIssuer, req: SignRequest): Promise<CredentialRow> {
  const { keys, row: issuerRow } = issuer;
  const slug = issuerRow.slug;
  // Before any write: a key set without a key for the proof asked for is the caller's problem, named.
  const keyId = serviceSigningKeyId(issuer, req.proof);
  // An index claimed ahead (status-reserve.ts): no statement of this request claims one, none counts it.
  const reserved = await ctx.statusReserve.take(slug);
  const id = req.id ?? reserved.credentialId;
  let stored: CredentialRow | undefined;
  try {
    const entries = (req.statusPurposes ?? ['revocation']).map((purpose) => statusEntry(ctx, slug, purpose, reserved.allocation));
    const unsigned = req.build(id, entries);
    // Signed outside any transaction: nothing is locked while signing (PGlite's one connection included).
    const signed = await signCredential(ctx, keys, unsigned, req);
    const row: NewCredentialRow = {
      id,
      issuerSlug: slug,
      recordId: req.recordId,
      recordHash: req.recordHash,
      format: req.proof.format,
      ...(req.learner.studentId ? { learnerStudentId: req.learner.studentId } : {}),
      ...(req.learner.email ? { learnerEmail: req.learner.email.toLowerCase() } : {}),
      ...(req.learner.did ? { learnerDid: req.learner.did } : {}),
      statusListId: reserved.allocation.listId,
      statusIndex: reserved.allocation.index,
      statusEntries: entries,
      credential: typeof signed === 'string' ? signed : JSON.stringify(signed),
      keyId,
      awardedDate: req.awardedDateOf(unsigned),
      ...(req.course ? { courseCode: req.course.code, ...(req.course.version !== undefined ? { courseVersion: req.course.version } : {}) } : {}),
    };
    stored = await store(ctx, slug, req, row, reserved.credentialId);
    // A concurrent request changed the record first: nothing was written.
    if (!stored) throw new RecordChanged();
    // The stored text is JSON.stringify(signed), so the object is what parsing it would give.
    if (typeof signed !== 'string' && stored.credential === row.credential) signedOfStored.set(stored, signed);
    return stored;
  } finally {
    // Not stored (or not known to be): the index goes back, unless a stored credential uses it after all.
    if (!stored) await ctx.statusReserve.release([reserved.credentialId]);
  }
}

/**
 * Issues a credential from a completion record, idempotently on (issuer, recordId, format):
 * - same record again: the stored credential (`existing`);
 * - changed record under a used recordId: 409 unless `reissue`, which revokes the current credentials of the
 *   record and issues a new one keeping the original awardedDate;
 * - invalid record: 422 listing every problem.
 *
 * Concurrency on one record: a request acts on the credentials current when it read them, and writes only if they
 * still are (compare-and-set in the issuing transaction). Of overlapping requests the first to commit wins. A
 * loser that carries the same content gets the winner's credential (`existing`); one with other content changes
 * nothing and gets 409 naming the winner, even with `reissue` (it asked to replace what it saw, not what the
 * winner wrote; sending it again replaces the winner). Requests that do not overlap are applied in turn.
 *
 * @example
 * ```ts
 * const { outcome, row } = await issueFromRecord(ctx, 'northbridge', record, { format: 'di', actor: 'api-key:ak_1' });
 * // outcome === 'issued' the first time, 'existing' on a retry
 * ```
 */
export async function issueFromRecord(
  ctx: ServiceContext,
  slug: string,
  input: unknown,
  options: { format: CredentialFormat; reissue?: boolean; alg?: JwtAlg; actor: string; onStored?: SignRequest['onStored'] },
): Promise<IssueOutcome> {
  const issuer = await ctx.issuer(slug);
  // Completed from the issuer's catalogue when it has the course (record-resolution.ts), and validated.
  const key = lookupKey(input);
  const snapshot = await catalogueSnapshot(ctx.db, slug, key.code !== undefined ? [key] : []);
  const resolved = resolveRecord(input, snapshot, { ...(options.reissue ? { reissue: true } : {}), hash: (r) => sha256Hex(canonicalJson(r)) });
  if (!resolved.ok) throw recordProblems(resolved.problems);
  const record: CompletionRecord = resolved.record;
  const recordHash = resolved.recordHash;
  let lost = false;
  // The catalogue read also returned the record's current credentials: when it has none (a first issuance), they
  // are not read again (one round trip less); otherwise they are read in full.
  const none = key.code !== undefined && key.recordId === record.recordId && (snapshot.existing.get(record.recordId) ?? []).length === 0;
  for (let attempt = 0; ; attempt++) {
    const current = attempt === 0 && none ? [] : await currentCredentialsForRecord(ctx.db, slug, record.recordId);
    const changed = current.filter((c) => c.recordHash !== recordHash);
    const same = current.find((c) => c.recordHash === recordHash && c.format === options.format);
    // Unchanged record in this format: the stored credential (a re-issue of identical content changes nothing).
    if (same) return { outcome: 'existing', row: same, superseded: [] };
    if (lost && changed.length > 0) {
      throw problems.conflict(
        `recordId ${JSON.stringify(record.recordId)} was issued or re-issued with different content by a concurrent request while this one was being handled ` +
          `(now credential ${changed[0]?.id}); this request changed nothing. Send it again with reissue=true to replace that credential.`,
        { recordId: record.recordId, existing: changed.map((c) => c.id) },
      );
    }
    if (changed.length > 0 && !options.reissue) {
      throw problems.conflict(
        `recordId ${JSON.stringify(record.recordId)} was already issued with different content (credential ${changed[0]?.id}). ` +
          'Send the record with reissue=true to revoke that credential and issue a replacement.',
        { recordId: record.recordId, existing: changed.map((c) => c.id) },
      );
    }
    // The original award date survives re-issues (and a second format of the same record).
    const awardedDate = current[0]?.awardedDate;
    try {
      const row = await signAndStore(ctx, issuer, {
        recordId: record.recordId,
        recordHash,
        proof: { format: options.format, ...(options.alg ? { alg: options.alg } : {}) },
        learner: { ...(record.learner.studentId ? { studentId: record.learner.studentId } : {}), ...(record.learner.email ? { email: record.learner.email } : {}), ...(record.learner.did ? { did: record.learner.did } : {}) },
        // The record was validated above and the profile when the issuer was created: no second validation.
        build: (id, [credentialStatus]) =>
          buildValidatedCredential(issuer.row.profile, record, {
            issuerId: issuer.keys.controller,
            id,
            ...(credentialStatus ? { credentialStatus } : {}),
            profileSchemaId: microcredProfileSchemaUrl(ctx.publicUrl),
            achievementImage: { id: achievementImageUrl(ctx, slug, record.course.code) },
            ...(awardedDate ? { awardedDate } : {}),
          }) as unknown as Record<string, unknown>,
        awardedDateOf: (c) => String(c.awardedDate ?? c.validFrom),
        expectedCurrent: current.map((c) => c.id),
        supersede: options.reissue ? changed : [],
        actor: options.actor,
        action: changed.length > 0 ? 'credential.reissue' : 'credential.issue',
        course: { code: record.course.code, ...(record.course.version !== undefined ? { version: record.course.version } : {}) },
        ...(options.onStored ? { onStored: options.onStored } : {}),
      });
      ctx.metrics.issued.inc({ issuer: slug, format: options.format });
      return { outcome: 'issued', row, superseded: options.reissue ? changed.map((c) => c.id) : [] };
    } catch (e) {
      // A concurrent request wrote this record first: everything we wrote was rolled back; look again (the same
      // content returns its credential, other content is a 409 above). Another format of the same content, written
      // meanwhile, lets us issue ours on the next round.
      if (lostToConcurrentRequest(e)) {
        lost = true;
        if (attempt < 5) continue;
        throw problems.conflict(`recordId ${JSON.stringify(record.recordId)} is being changed by other requests at this moment; send this request again.`, { recordId: record.recordId });
      }
      throw coreErrorToProblem(e);
    }
  }
}

/** What a VC-API issue request asks besides the credential (`options`, read by the route). */
export interface VcApiIssueOptions {
  proof: ProofChoice;
  /** VC-API `options.credentialId`: the id of a credential that has none (a URL). */
  credentialId?: string;
  /** `options.credentialStatus`: the purposes of the status entries to carry (default: revocation). */
  statusPurposes?: readonly StatusPurpose[];
  actor: string;
}

/** A 422 naming one VC-API rule (the shape `prepareVcApiCredential` reports its problems in). */
function vcApiRefusal(rule: string, path: string, expected: string, found: string): HttpProblem {
  const message = `${path}: expected ${expected}, found ${found}.`;
  return problems.invalid('credential-invalid', 'Invalid credential', `The credential cannot be issued (1 problem); see "problems". ${message}`, { problems: [{ rule, path, expected, found, message }] });
}

/** Values that become stored text (ids, the learner's DID, the award date) must be text the database can hold. */
function checkStoredText(credential: Record<string, unknown>): void {
  const subject = credential.credentialSubject as { id?: unknown } | undefined;
  for (const [path, value] of [
    ['credential.id', credential.id],
    ['credential.credentialSubject.id', subject && typeof subject === 'object' ? subject.id : undefined],
    ['credential.awardedDate', credential.awardedDate],
    ['credential.validFrom', credential.validFrom],
    ['credential.issuanceDate', credential.issuanceDate],
  ] as const) {
    if (typeof value === 'string') checkText('body', path, value);
  }
}

/**
 * The caller's credential, checked by `prepareVcApiCredential` (every data model rule, the OB schema and profile for
 * Open Badges, this issuer, unsigned), with its id: `credential.id`, else `options.credentialId`, else a new
 * `urn:uuid:`. Throws the problem for anything refused; writes nothing.
 */
async function preparedForIssue(ctx: ServiceContext, issuer: LoadedIssuer, credentialIn: unknown, options: VcApiIssueOptions): Promise<{ prepared: PreparedCredential; id: string }> {
  const { row, keys } = issuer;
  // First, as the values the database would refuse are named most precisely on their own.
  if (credentialIn !== null && typeof credentialIn === 'object' && !Array.isArray(credentialIn)) checkStoredText(credentialIn as Record<string, unknown>);
  const prepared = await prepareVcApiCredential(credentialIn, { id: keys.controller, name: row.profile.name, url: row.profile.url }, {
    ...(options.credentialId !== undefined ? { credentialId: options.credentialId } : {}),
    documentLoader: ctx.documentLoader,
  });
  if (!prepared.ok) throw new HttpProblem(prepared.status, prepared.code, prepared.title, prepared.detail, { problems: prepared.problems });
  // VC 1.1 only says evidence SHOULD have a type; the Data Integrity signer requires one, so it cannot be signed.
  const untyped = prepared.warnings.find((w) => w.rule === 'vc-1.1/5.8-evidence');
  if (untyped) throw vcApiRefusal(untyped.rule, untyped.path, `${untyped.expected ?? 'a "type"'} (the signer requires one)`, untyped.found ?? 'nothing');
  const ownId = prepared.credential.id;
  if (typeof ownId === 'string' && options.credentialId !== undefined && options.credentialId !== ownId) {
    throw vcApiRefusal('vc-api/credential-id', '$.options.credentialId', `no credentialId, or the credential's own id ${JSON.stringify(ownId)}`, JSON.stringify(options.credentialId));
  }
  if (prepared.kind !== 'generic' && (options.statusPurposes?.length ?? 1) > 1) {
    throw vcApiRefusal('vc-api/status', '$.options.credentialStatus', 'one status purpose: an Open Badge carries one credentialStatus entry (the OB 3.0 schema allows one)', JSON.stringify(options.statusPurposes));
  }
  return { prepared, id: typeof ownId === 'string' ? ownId : (options.credentialId ?? `urn:uuid:${randomUUID()}`) };
}

/** The record hash of a VC-API credential: its content, and the proof and status options when they are not the defaults. */
function vcApiHash(credential: Record<string, unknown>, options: VcApiIssueOptions): string {
  const { format, ...proof } = options.proof;
  const purposes = options.statusPurposes ?? ['revocation'];
  const defaults = Object.keys(proof).length === 0 && purposes.length === 1 && purposes[0] === 'revocation';
  // Default options hash the credential alone, as credentials issued before these options existed were hashed.
  return sha256Hex(canonicalJson(defaults ? credential : { credential, options: { proof, purposes, format } }));
}

/**
 * VC-API `POST /credentials/issue`: signs a caller-built credential for the issuer. Any VC 2.0 credential (and VC
 * 1.1) that follows the data model is signed; Open Badges are also held to the OB 3.0 schema and, when they claim
 * it, to microcred's profile (`prepareVcApiCredential` decides, and the proof shape: one object for generic
 * credentials, a list for Open Badges). The service allocates the status entries (revocation, or the purposes in
 * `options.statusPurposes`), next to a generic credential's own entries; re-posting the same credential id with the
 * same content and options returns it again (`existing`), other content under that id is a 409.
 *
 * @example
 * ```ts
 * const { row } = await issueVcApiCredential(ctx, 'northbridge', unsigned, { proof: { format: 'di', cryptosuite: 'eddsa-jcs-2022' }, actor: 'api-key:ak_1' });
 * ```
 */
export async function issueVcApiCredential(ctx: ServiceContext, slug: string, credentialIn: unknown, options: VcApiIssueOptions): Promise<IssueOutcome> {
  const issuer = await ctx.issuer(slug);
  const { prepared, id: recordId } = await preparedForIssue(ctx, issuer, credentialIn, options);
  const credential: Record<string, unknown> = { ...prepared.credential, id: recordId };
  const recordHash = vcApiHash(credential, options);
  const subject = credential.credentialSubject as { id?: unknown } | undefined;
  const format = options.proof.format;
  for (let attempt = 0; ; attempt++) {
    const current = await currentCredentialsForRecord(ctx.db, slug, recordId);
    const same = current.find((c) => c.format === format);
    if (same) {
      if (same.recordHash === recordHash) return { outcome: 'existing', row: same, superseded: [] };
      throw problems.conflict(`A different credential with id ${JSON.stringify(recordId)} was already issued.`, { existing: [same.id] });
    }
    try {
      const row = await signAndStore(ctx, issuer, {
        recordId,
        recordHash,
        proof: options.proof,
        ...(options.statusPurposes ? { statusPurposes: options.statusPurposes } : {}),
        proofShape: prepared.proofShape,
        ...(current.length === 0 ? { id: recordId } : {}),
        learner: typeof subject?.id === 'string' ? { did: subject.id } : {},
        build: (id, entries) =>
          prepared.kind === 'generic' ? entries.reduce(withCredentialStatus, { ...credential, id }) : { ...credential, id, credentialStatus: entries[0] },
        awardedDateOf: (c) => String(c.awardedDate ?? c.validFrom ?? c.issuanceDate ?? new Date().toISOString()),
        expectedCurrent: current.map((c) => c.id),
        supersede: [],
        actor: options.actor,
        action: 'credential.issue',
      });
      ctx.metrics.issued.inc({ issuer: slug, format });
      return { outcome: 'issued', row, superseded: [] };
    } catch (e) {
      if (await retryVcApiIssue(ctx, slug, recordId, attempt, e)) continue;
      // The caller wrote the credential: what the signing library still refuses in it is the caller's to fix.
      if (e instanceof MicrocredError && e.code === 'SIGNING_FAILED') throw problems.invalid('credential-invalid', 'Invalid credential', `The credential could not be signed: ${e.message}`);
      throw coreErrorToProblem(e);
    }
  }
}

/** After a failed write: true to look again (a concurrent twin stored it first); a 409 for an id taken elsewhere. */
async function retryVcApiIssue(ctx: ServiceContext, slug: string, recordId: string, attempt: number, e: unknown): Promise<boolean> {
  if (attempt < 5 && lostToConcurrentRequest(e)) return true;
  // The id is taken: as a credential's, or (the same) as the id a status index of a stored credential is claimed under.
  if (!isUniqueViolation(e, 'credentials_pkey') && !isUniqueViolation(e, 'status_allocations_credential_id_key')) return false;
  // Credential ids are global: this one belongs to another record or issuer (or a twin wrote it: look again).
  const owner = await findCredentialById(ctx.db, recordId);
  if (attempt < 5 && owner && owner.issuerSlug === slug && owner.recordId === recordId) return true;
  throw problems.conflict(`A credential with id ${JSON.stringify(recordId)} already exists; choose another id or leave it out.`);
}

export type StatusAction = 'revoke' | 'suspend' | 'unsuspend';

/**
 * Revokes (irreversible), suspends or unsuspends a credential: flips its bit in the issuer's revocation or
 * suspension list and records who, when and why, in one transaction. Repeating an action is harmless.
 *
 * @example
 * ```ts
 * await changeStatus(ctx, 'northbridge', 'urn:uuid:…', 'revoke', 'awarded in error', 'api-key:ak_1');
 * ```
 */
export async function changeStatus(
  ctx: ServiceContext,
  slug: string,
  id: string,
  action: StatusAction,
  reason: string | undefined,
  actor: string,
): Promise<CredentialRow> {
  await ctx.issuer(slug);
  const row = await ctx.db.transaction(async (tx: Queryable) => {
    const c = await getCredential(tx, slug, id, true);
    if (!c) throw problems.notFound(`Issuer ${slug} has no credential ${JSON.stringify(id)}.`);
    if (action === 'revoke') {
      if (c.status === 'revoked') return c;
      await setStatusBit(tx, c.statusListId, 'revocation', c.statusIndex, true);
      await updateCredentialStatus(tx, c.id, 'revoked', reason);
    } else {
      if (c.status === 'revoked') throw problems.conflict(`Credential ${id} is revoked; revocation cannot be undone, so it cannot be ${action}ed.`);
      const target = action === 'suspend' ? 'suspended' : 'active';
      if (c.status === target) return c;
      await setStatusBit(tx, c.statusListId, 'suspension', c.statusIndex, action === 'suspend');
      await updateCredentialStatus(tx, c.id, target, reason);
    }
    await recordAudit(tx, { actor, issuerSlug: slug, action: `credential.${action}`, target: c.id, ...(reason ? { reason } : {}) });
    ctx.metrics.statusChanges.inc({ issuer: slug, action });
    return (await getCredential(tx, slug, id)) as CredentialRow;
  });
  return row;
}
