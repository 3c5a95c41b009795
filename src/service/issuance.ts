/**
 * Internal: issuing from completion records (idempotent on recordId), issuing VC-API credentials, and status changes.
 * Allocation of the status index, signing and the credential row happen in ONE transaction.
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
import { MicrocredError } from '../errors.js';
import { issueCredential } from '../issue.js';
import type { JwtAlg } from '../keyset/keyset.js';
import type { CompletionRecord } from '../record/types.js';
import { validateOpenBadgeSchema } from '../schema/validate-ob.js';
import { microcredProfileSchemaUrl } from '../schema/validate-profile.js';
import { recordAudit } from '../store/audit.js';
import {
  currentCredentialsForRecord,
  findCredentialById,
  getCredential,
  insertIssuedCredential,
  updateCredentialStatus,
} from '../store/credentials.js';
import type { CredentialFormat, CredentialRow } from '../store/credentials.js';
import { isUniqueViolation } from '../store/db.js';
import type { Queryable } from '../store/db.js';
import { allocateStatusIndex, setStatusBit } from '../store/status-lists.js';
import { catalogueSnapshot } from '../store/courses.js';
import type { LoadedIssuer, ServiceContext } from './context.js';
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
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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

interface SignRequest {
  recordId: string;
  recordHash: string;
  format: CredentialFormat;
  alg?: JwtAlg;
  learner: { studentId?: string; email?: string; did?: string };
  /** Builds the unsigned credential once the id and status entry are known. */
  build(id: string, credentialStatus: Record<string, unknown>): Record<string, unknown>;
  id?: string;
  awardedDateOf(credential: Record<string, unknown>): string;
  /** Ids of the record's current credentials when the request decided what to do: the write happens only if they still are. */
  expectedCurrent: readonly string[];
  supersede: CredentialRow[];
  actor: string;
  action: string;
  /** The course of a completion record, and its catalogue version when it was completed from the catalogue. */
  course?: { code: string; version?: number };
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

async function signAndStore(ctx: ServiceContext, issuer: LoadedIssuer, req: SignRequest): Promise<CredentialRow> {
  const { keys, row: issuerRow } = issuer;
  const slug = issuerRow.slug;
  const id = req.id ?? `urn:uuid:${randomUUID()}`;
  return ctx.db.transaction(async (tx) => {
    // Compare-and-set on the record: lock its current credentials and check they are still the ones the decision
    // was made on. A concurrent re-issue holding them makes us wait; when it commits they are no longer current and
    // we stop here. (A record with no credential yet has nothing to lock: there the unique index
    // credentials_current_record lets exactly one insert through.)
    const locked = await currentCredentialsForRecord(tx, slug, req.recordId, true);
    const lockedIds = locked.map((c) => c.id).sort();
    const expected = [...req.expectedCurrent].sort();
    if (lockedIds.length !== expected.length || lockedIds.some((v, i) => v !== expected[i])) throw new RecordChanged();
    const alloc = await allocateStatusIndex(tx, slug, id, {
      ...(ctx.config.statusListSize ? { size: ctx.config.statusListSize } : {}),
      ...(ctx.config.statusListCapacity ? { capacity: ctx.config.statusListCapacity } : {}),
    });
    const listUrl = ctx.statusListUrl(slug, 'revocation', alloc.seq);
    const entry = {
      id: `${listUrl}#${alloc.index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(alloc.index),
      statusListCredential: listUrl,
    };
    const unsigned = req.build(id, entry);
    const started = performance.now();
    let signed: object | string;
    let keyId: string;
    try {
      if (req.format === 'di') {
        keyId = keys.activeKey('di').id;
        signed = await issueCredential(unsigned, {
          format: 'di',
          keys,
          documentLoader: ctx.documentLoader,
          cryptosuite: ctx.cryptosuite,
        });
      } else {
        const alg = req.alg ?? keys.defaultJwtAlg();
        keyId = keys.activeKey('jwt', alg).id;
        signed = await issueCredential(unsigned, { format: 'jwt', keys, alg });
      }
    } finally {
      ctx.metrics.signing.observe({ format: req.format }, (performance.now() - started) / 1000);
    }
    for (const old of req.supersede) {
      await setStatusBit(tx, old.statusListId, 'revocation', old.statusIndex, true);
      await updateCredentialStatus(tx, old.id, 'revoked', 'superseded by a re-issue', id);
      await recordAudit(tx, { actor: req.actor, issuerSlug: slug, action: 'credential.revoke', target: old.id, reason: 'superseded by a re-issue', details: { supersededBy: id } });
    }
    const row = {
      id,
      issuerSlug: slug,
      recordId: req.recordId,
      recordHash: req.recordHash,
      format: req.format,
      ...(req.learner.studentId ? { learnerStudentId: req.learner.studentId } : {}),
      ...(req.learner.email ? { learnerEmail: req.learner.email.toLowerCase() } : {}),
      ...(req.learner.did ? { learnerDid: req.learner.did } : {}),
      statusListId: alloc.listId,
      statusIndex: alloc.index,
      statusEntries: [entry],
      credential: typeof signed === 'string' ? signed : JSON.stringify(signed),
      keyId,
      awardedDate: req.awardedDateOf(unsigned),
      ...(req.course ? { courseCode: req.course.code, ...(req.course.version !== undefined ? { courseVersion: req.course.version } : {}) } : {}),
    };
    // Insert, audit entry and allocation count in one statement (one round trip instead of four).
    return insertIssuedCredential(tx, row, { actor: req.actor, action: req.action, details: { recordId: req.recordId, format: req.format } });
  });
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
  options: { format: CredentialFormat; reissue?: boolean; alg?: JwtAlg; actor: string },
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
  for (let attempt = 0; ; attempt++) {
    const current = await currentCredentialsForRecord(ctx.db, slug, record.recordId);
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
        format: options.format,
        ...(options.alg ? { alg: options.alg } : {}),
        learner: { ...(record.learner.studentId ? { studentId: record.learner.studentId } : {}), ...(record.learner.email ? { email: record.learner.email } : {}), ...(record.learner.did ? { did: record.learner.did } : {}) },
        // The record was validated above and the profile when the issuer was created: no second validation.
        build: (id, credentialStatus) =>
          buildValidatedCredential(issuer.row.profile, record, {
            issuerId: issuer.keys.controller,
            id,
            credentialStatus,
            profileSchemaId: microcredProfileSchemaUrl(ctx.publicUrl),
            ...(awardedDate ? { awardedDate } : {}),
          }) as unknown as Record<string, unknown>,
        awardedDateOf: (c) => String(c.awardedDate ?? c.validFrom),
        expectedCurrent: current.map((c) => c.id),
        supersede: options.reissue ? changed : [],
        actor: options.actor,
        action: changed.length > 0 ? 'credential.reissue' : 'credential.issue',
        course: { code: record.course.code, ...(record.course.version !== undefined ? { version: record.course.version } : {}) },
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

/**
 * The caller's credential as it will be signed: a copy, unsigned, without status (the service allocates it), with
 * this issuer (filled in when absent), and with stored text values the database can hold.
 */
function credentialToSign(issuer: LoadedIssuer, credentialIn: unknown): Record<string, unknown> {
  if (credentialIn === null || typeof credentialIn !== 'object' || Array.isArray(credentialIn)) {
    throw problems.badRequest('"credential" must be a JSON object (the unsigned credential).');
  }
  const credential = structuredClone(credentialIn) as Record<string, unknown>;
  if ('proof' in credential) throw problems.invalid('credential-invalid', 'Invalid credential', '"credential" must be unsigned: remove "proof".');
  if (credential.credentialStatus !== undefined) {
    throw problems.invalid('credential-invalid', 'Invalid credential', 'The service allocates "credentialStatus"; leave it out of "credential".');
  }
  const issuerValue = credential.issuer;
  const issuerId = typeof issuerValue === 'string' ? issuerValue : (issuerValue as { id?: unknown } | undefined)?.id;
  if (issuerValue === undefined) {
    credential.issuer = { id: issuer.keys.controller, type: ['Profile'], name: issuer.row.profile.name, url: issuer.row.profile.url };
  } else if (issuerId !== issuer.keys.controller) {
    throw problems.invalid(
      'credential-invalid',
      'Invalid credential',
      `"credential.issuer" must be this issuer (${issuer.keys.controller}) or absent; found ${JSON.stringify(issuerId ?? issuerValue)}.`,
    );
  }
  // What becomes a stored text value (ids, the learner's DID, the award date) must be text the database can hold.
  const subjectValue = credential.credentialSubject as { id?: unknown } | undefined;
  for (const [path, value] of [
    ['credential.id', credential.id],
    ['credential.credentialSubject.id', subjectValue && typeof subjectValue === 'object' ? subjectValue.id : undefined],
    ['credential.awardedDate', credential.awardedDate],
    ['credential.validFrom', credential.validFrom],
    ['credential.issuanceDate', credential.issuanceDate],
  ] as const) {
    if (typeof value === 'string') checkText('body', path, value);
  }
  return credential;
}

/**
 * VC-API `POST /credentials/issue`: signs a caller-built credential for the token's issuer after checking it
 * against the OB 3.0 AchievementCredential schema. The service allocates `credentialStatus` (callers must not
 * send one) and stores the credential so it can be revoked; re-posting the same credential id returns it again.
 *
 * @example
 * ```ts
 * const { row } = await issueVcApiCredential(ctx, 'northbridge', unsignedCredential, { format: 'jwt', actor: 'api-key:ak_1' });
 * ```
 */
export async function issueVcApiCredential(
  ctx: ServiceContext,
  slug: string,
  credentialIn: unknown,
  options: { format: CredentialFormat; credentialId?: string; alg?: JwtAlg; actor: string },
): Promise<IssueOutcome> {
  const issuer = await ctx.issuer(slug);
  const credential = credentialToSign(issuer, credentialIn);
  const explicitId = options.credentialId ?? (typeof credential.id === 'string' ? credential.id : undefined);
  const recordId = explicitId ?? `urn:uuid:${randomUUID()}`;
  const recordHash = sha256Hex(canonicalJson({ ...credential, id: recordId }));
  // Check the schema on what will be signed (with id and status entry), before any write.
  const probe = { ...credential, id: recordId, credentialStatus: { id: 'https://example.invalid/status#0', type: 'BitstringStatusListEntry' } };
  const check = validateOpenBadgeSchema(probe);
  if (!check.valid) {
    throw problems.invalid(
      'schema-invalid',
      'Not a valid Open Badges 3.0 credential',
      `The credential does not validate against the OB 3.0 AchievementCredential JSON Schema (${check.errors.length} problem${check.errors.length === 1 ? '' : 's'}).`,
      { problems: check.errors },
    );
  }
  const subject = credential.credentialSubject as { id?: unknown } | undefined;
  for (let attempt = 0; ; attempt++) {
    const current = await currentCredentialsForRecord(ctx.db, slug, recordId);
    const same = current.find((c) => c.format === options.format);
    if (same) {
      if (same.recordHash === recordHash) return { outcome: 'existing', row: same, superseded: [] };
      throw problems.conflict(`A different credential with id ${JSON.stringify(recordId)} was already issued.`, { existing: [same.id] });
    }
    try {
      const row = await signAndStore(ctx, issuer, {
        recordId,
        recordHash,
        format: options.format,
        ...(options.alg ? { alg: options.alg } : {}),
        ...(current.length === 0 ? { id: recordId } : {}),
        learner: typeof subject?.id === 'string' ? { did: subject.id } : {},
        build: (id, credentialStatus) => ({ ...credential, id, credentialStatus }),
        awardedDateOf: (c) => String(c.awardedDate ?? c.validFrom ?? c.issuanceDate ?? new Date().toISOString()),
        expectedCurrent: current.map((c) => c.id),
        supersede: [],
        actor: options.actor,
        action: 'credential.issue',
      });
      ctx.metrics.issued.inc({ issuer: slug, format: options.format });
      return { outcome: 'issued', row, superseded: [] };
    } catch (e) {
      // A concurrent twin stored it first: look again (same credential back, or 409 for a different one).
      if (attempt < 5 && lostToConcurrentRequest(e)) continue;
      if (isUniqueViolation(e, 'credentials_pkey')) {
        // Credential ids are global: this one belongs to another record or issuer (or a twin wrote it: look again).
        const owner = await findCredentialById(ctx.db, recordId);
        if (attempt < 5 && owner && owner.issuerSlug === slug && owner.recordId === recordId) continue;
        throw problems.conflict(`A credential with id ${JSON.stringify(recordId)} already exists; choose another id or leave it out.`);
      }
      throw coreErrorToProblem(e);
    }
  }
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
