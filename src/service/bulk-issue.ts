/**
 * Internal: issuing a chunk of records at once (bulk jobs). Same outcomes as `issueFromRecord` record by record
 * (catalogue resolution, validation, idempotency on recordId, the original award date for a second format), with
 * the work batched and the database held only briefly:
 * 1. read: one statement for the catalogue courses and the records' current credentials;
 * 2. decide: each row is resolved, validated and its outcome decided against the snapshot and the rows before it;
 * 3. claim status indexes for the rows to issue: one short transaction for the whole chunk (credential ids are
 *    derived from the job and the row, so a chunk run again after a crash finds the indexes it claimed before), and
 *    build their credentials, each written out as JSON text at once (what is signed and stored: only flat strings
 *    go to the signing threads and come back);
 * 4. sign outside any transaction (Data Integrity through the FastDiPool workers, JWTs in process);
 * 5. write: one transaction, one multi-row INSERT of the credentials with their audit entries; a record stored
 *    meanwhile by someone else (the unique index on the current credential of a record) is not written twice, its
 *    index is handed back and its row reports what is stored.
 */
import { v5 as uuidv5 } from 'uuid';
import { buildValidatedCredential, MICROCRED_UUID_NAMESPACE } from '../credential/annex1.js';
import { rowProblems } from '../import/check.js';
import type { CsvMapping } from '../import/mapping.js';
import type { ReportRow, RowProblem } from '../import/types.js';
import { issueCredential } from '../issue.js';
import type { JwtAlg } from '../keyset/keyset.js';
import type { FastDiPool } from '../proof/fast/pool.js';
import { problem } from '../record/problems.js';
import type { CompletionRecord } from '../record/types.js';
import { microcredProfileSchemaUrl } from '../schema/validate-profile.js';
import { catalogueSnapshot } from '../store/courses.js';
import type { Queryable } from '../store/db.js';
import type { Allocation } from '../store/status-lists.js';
import { allocateStatusIndexes, releaseStatusIndexes } from '../store/status-lists-bulk.js';
import type { LoadedIssuer, ServiceContext } from './context.js';
import { MAIL_NOT_SENT } from './mail/outcomes.js';
import { achievementImageUrl } from './page-urls.js';
import { canonicalJson, sha256Hex, statusEntry } from './issuance.js';
import { lookupKey, resolveRecord } from './record-resolution.js';

/** One input row of a chunk (as a job stores it). */
export interface BulkItem {
  row: number;
  line: number;
  record?: Record<string, unknown>;
  problems: RowProblem[];
}

export interface BulkOptions {
  format: 'di' | 'jwt';
  alg?: JwtAlg;
  dryRun: boolean;
  actor: string;
  /** Names the credentials (`urn:uuid:` v5 of the job id and the row) and goes into the audit entries. */
  jobId: string;
  mapping?: CsvMapping;
  /** Signs Data Integrity proofs in worker threads; without it they are signed in this thread. */
  pool?: FastDiPool;
  /** Called once the chunk's status indexes are claimed (committed), before signing. */
  onReserved?(): void;
  /**
   * Queue a claim e-mail for each credential written, in the chunk's transaction, as single issuance does (absent:
   * no SMTP, nothing written). `mailFrom`: whether the issuer has a from address; without one the rows record why
   * nothing is sent.
   */
  claimMail?: { mailFrom: boolean };
}

interface ToIssue {
  index: number;
  id: string;
  record: CompletionRecord;
  recordHash: string;
  courseVersion?: number;
  awardedDate?: string;
}

/**
 * What the write needs of a row to issue, once its credential is built: the record's keys, not the record (a chunk's
 * merged records, each with its whole course, are not kept while it is signed).
 */
interface Built {
  index: number;
  id: string;
  recordId: string;
  recordHash: string;
  learner: CompletionRecord['learner'];
  courseCode: string;
  courseVersion?: number;
  allocation: Allocation;
  entry: Record<string, unknown>;
  /** The credential's award date (`awardedDate`, else `validFrom`). */
  awarded: string;
}

/** A chunk checked and, unless a dry run, signed: ready to be written. */
export interface PreparedChunk {
  results: ReportRow[];
  signed: (Built & { credential: string; keyId: string })[];
  /** Credentials with a claimed index that will not be written (signing failed): released on write. */
  dropped: string[];
}

const hash = (r: CompletionRecord): string => sha256Hex(canonicalJson(r));

/**
 * The credential id of a row of a job: the same for every run of the job's chunk, so its status index is claimed once.
 *
 * @example
 * ```ts
 * bulkCredentialId('0b9f…', 17); // 'urn:uuid:…'
 * ```
 */
export function bulkCredentialId(jobId: string, row: number): string {
  return `urn:uuid:${uuidv5(`microcred-job:${jobId}:row:${row}`, MICROCRED_UUID_NAMESPACE)}`;
}

function rejected(base: ReportRow, problems: RowProblem[]): ReportRow {
  return { ...base, outcome: 'rejected', problems };
}

/** What a chunk is decided against: its catalogue courses and the current credentials of its records. */
type Snapshot = Awaited<ReturnType<typeof catalogueSnapshot>>;

/** The outcome of one row against the catalogue snapshot, the stored credentials and the rows before it. */
function decideRow(
  item: BulkItem,
  index: number,
  snap: Snapshot,
  firstOfRecord: Map<string, { row: number; recordHash: string; index: number; id: string }>,
  options: BulkOptions,
): { result: ReportRow; issue?: ToIssue } {
  const recordId = typeof item.record?.['recordId'] === 'string' ? (item.record['recordId'] as string) : undefined;
  const base: ReportRow = { row: item.row, line: item.line, outcome: 'rejected', ...(recordId !== undefined ? { recordId } : {}) };
  if (!item.record) return { result: rejected(base, item.problems) };
  const resolved = resolveRecord(item.record, snap, { hash });
  const problems = rowProblems(item.problems, resolved.ok ? [] : resolved.problems, options.mapping);
  if (!resolved.ok || problems.length > 0) return { result: rejected(base, problems) };
  const { record, recordHash } = resolved;
  const existing = snap.existing.get(record.recordId) ?? [];
  const same = existing.find((e) => e.recordHash === recordHash && e.format === options.format);
  if (same) return { result: { ...base, outcome: 'already-issued', credentialId: same.id } };
  const changed = existing.find((e) => e.recordHash !== recordHash);
  if (changed) {
    return {
      result: rejected(base, [
        problem('$.recordId', 'a recordId not yet issued with other content (to replace that credential, re-issue the record on its own with reissue=true)', `the recordId of credential ${changed.id}, issued with other content`),
      ]),
    };
  }
  const earlier = firstOfRecord.get(record.recordId);
  if (earlier) {
    // A repeat of an earlier row of the chunk points at that row's credential.
    if (earlier.recordHash === recordHash) return { result: { ...base, outcome: 'already-issued', ...(options.dryRun ? {} : { credentialId: earlier.id }) } };
    return { result: rejected(base, [problem('$.recordId', `a recordId of its own (row ${earlier.row} has this recordId with other content)`, JSON.stringify(record.recordId))]) };
  }
  const id = bulkCredentialId(options.jobId, item.row);
  firstOfRecord.set(record.recordId, { row: item.row, recordHash, index, id });
  return {
    result: { ...base, outcome: options.dryRun ? 'would-issue' : 'issued' },
    issue: {
      index,
      id,
      record,
      recordHash,
      ...(resolved.courseVersion !== undefined ? { courseVersion: resolved.courseVersion } : {}),
      ...(existing[0] ? { awardedDate: existing[0].awardedDate } : {}),
    },
  };
}

/** Claims the status indexes of the given credentials (one short transaction). */
function claimIndexes(ctx: ServiceContext, slug: string, ids: readonly string[]): Promise<Map<string, Allocation>> {
  if (ids.length === 0) return Promise.resolve(new Map());
  return ctx.db.transaction((tx) =>
    allocateStatusIndexes(tx, slug, ids, {
      ...(ctx.config.statusListSize ? { size: ctx.config.statusListSize } : {}),
      ...(ctx.config.statusListCapacity ? { capacity: ctx.config.statusListCapacity } : {}),
    }),
  );
}

/** A row to issue, built: its credential's JSON text, and what the write needs of the row. */
function buildRow(ctx: ServiceContext, issuer: LoadedIssuer, t: ToIssue, allocation: Allocation, profileSchemaId: string): { built: Built; text: string } {
  const slug = issuer.row.slug;
  const entry = statusEntry(ctx, slug, 'revocation', allocation);
  const credential = buildValidatedCredential(issuer.row.profile, t.record, {
    issuerId: issuer.keys.controller,
    id: t.id,
    credentialStatus: entry,
    profileSchemaId,
    achievementImage: { id: achievementImageUrl(ctx, slug, t.record.course.code) },
    ...(t.awardedDate ? { awardedDate: t.awardedDate } : {}),
  });
  return {
    text: JSON.stringify(credential),
    built: {
      index: t.index,
      id: t.id,
      recordId: t.record.recordId,
      recordHash: t.recordHash,
      learner: t.record.learner,
      courseCode: t.record.course.code,
      ...(t.courseVersion !== undefined ? { courseVersion: t.courseVersion } : {}),
      allocation,
      entry,
      awarded: String(credential.awardedDate ?? credential.validFrom),
    },
  };
}

/**
 * Steps 1–4: reads the snapshot, decides every row's outcome, and (not in a dry run) claims the status indexes of
 * the rows to issue, builds their credentials and signs them. Writes nothing but the index claims.
 */
export async function prepareChunk(ctx: ServiceContext, issuer: LoadedIssuer, items: readonly BulkItem[], options: BulkOptions): Promise<PreparedChunk> {
  const slug = issuer.row.slug;
  const snap = await catalogueSnapshot(ctx.db, slug, items.flatMap((i) => (i.record ? [lookupKey(i.record)] : [])));
  const results: ReportRow[] = [];
  const toIssue: ToIssue[] = [];
  const firstOfRecord = new Map<string, { row: number; recordHash: string; index: number; id: string }>();
  items.forEach((item, index) => {
    const { result, issue } = decideRow(item, index, snap, firstOfRecord, options);
    results.push(result);
    if (issue) toIssue.push(issue);
  });
  const prepared: PreparedChunk = { results, signed: [], dropped: [] };
  if (options.dryRun || toIssue.length === 0) return prepared;
  const allocations = await claimIndexes(ctx, slug, toIssue.map((t) => t.id));
  const profileSchemaId = microcredProfileSchemaUrl(ctx.publicUrl);
  const built: Built[] = [];
  const texts: string[] = [];
  for (const t of toIssue) {
    const b = buildRow(ctx, issuer, t, allocations.get(t.id) as Allocation, profileSchemaId);
    built.push(b.built);
    texts.push(b.text);
  }
  options.onReserved?.();
  const started = performance.now();
  const signedValues = await signAll(ctx, issuer, texts, options);
  ctx.metrics.signing.observe({ format: options.format }, (performance.now() - started) / 1000 / built.length);
  built.forEach((b, i) => {
    const s = signedValues[i] as Signed;
    if (!s.ok) {
      prepared.dropped.push(b.id);
      results[b.index] = rejected(results[b.index] as ReportRow, [problem('$', 'a record whose credential can be signed', `a signing error: ${s.error}`)]);
      ctx.logger.error({ issuer: slug, job: options.jobId, row: results[b.index]?.row }, 'bulk signing failed for a row');
      return;
    }
    prepared.signed.push({ ...b, credential: s.value, keyId: s.keyId });
  });
  return prepared;
}

/** A credential signed (its stored text: JSON, or the JWT) or the reason it was not. */
type Signed = { ok: true; value: string; keyId: string } | { ok: false; error: string };

/** Signs credentials given as JSON text, in order: Data Integrity in the pool's workers where there is one. */
async function signAll(ctx: ServiceContext, issuer: LoadedIssuer, texts: string[], options: BulkOptions): Promise<Signed[]> {
  const { keys } = issuer;
  if (options.format === 'jwt') {
    const alg = options.alg ?? keys.defaultJwtAlg();
    const keyId = keys.activeKey('jwt', alg).id;
    return Promise.all(
      texts.map((text) =>
        issueCredential(JSON.parse(text) as Record<string, unknown>, { format: 'jwt', keys, alg }).then(
          (value) => ({ ok: true as const, value, keyId }),
          (e: unknown) => ({ ok: false as const, error: (e as Error).message }),
        ),
      ),
    );
  }
  const key = keys.dataIntegrityKey('eddsa-rdfc-2022');
  if (options.pool && key.alg === 'Ed25519') {
    const out = await options.pool.issueJson(texts, { signerId: key.id, privateKey: keys.signingKey(key.id) });
    return out.map((r) => (r.ok ? { ok: true, value: r.json, keyId: key.id } : { ok: false, error: r.error }));
  }
  const out: Signed[] = [];
  for (const text of texts) {
    try {
      const signed = await issueCredential(JSON.parse(text) as Record<string, unknown>, { format: 'di', keys, documentLoader: ctx.documentLoader, cryptosuite: ctx.cryptosuite });
      out.push({ ok: true, value: JSON.stringify(signed), keyId: key.id });
    } catch (e) {
      out.push({ ok: false, error: (e as Error).message });
    }
  }
  return out;
}

/** The one statement that writes a chunk's credentials, their audit entries and claim e-mails; the ids written. */
async function insertChunk(tx: Queryable, slug: string, s: PreparedChunk['signed'], options: BulkOptions): Promise<Set<string>> {
  // The rows travel as ONE JSON parameter (json_to_recordset): serialised natively, parsed by the server, much
  // cheaper than one array parameter per column for 500 credentials of a few KB each.
  const rows = s.map((t) => ({
    id: t.id,
    record_id: t.recordId,
    record_hash: t.recordHash,
    sid: t.learner.studentId ?? null,
    email: t.learner.email?.toLowerCase() ?? null,
    did: t.learner.did ?? null,
    list_id: t.allocation.listId,
    idx: t.allocation.index,
    entries: [t.entry],
    credential: t.credential,
    key_id: t.keyId,
    awarded: t.awarded,
    code: t.courseCode,
    version: t.courseVersion ?? null,
  }));
  const res = await tx.query<{ id: string }>(
    `WITH ins AS (
       INSERT INTO credentials (id, issuer_slug, record_id, record_hash, format, learner_student_id, learner_email, learner_did,
         status_list_id, status_index, status_entries, credential, key_id, awarded_date, course_code, course_version)
       SELECT t.id, $1, t.record_id, t.record_hash, $2, t.sid, t.email, t.did, t.list_id, t.idx, t.entries, t.credential, t.key_id,
              t.awarded, t.code, t.version
         FROM json_to_recordset($3::json)
           AS t(id text, record_id text, record_hash text, sid text, email text, did text, list_id int, idx int, entries jsonb,
                credential text, key_id text, awarded text, code text, version int)
       ON CONFLICT DO NOTHING
       RETURNING id, record_id, learner_email
     ), a AS (
       INSERT INTO audit_log (actor, issuer_slug, action, target, details)
       SELECT $4, $1, 'credential.issue', ins.id, jsonb_build_object('recordId', ins.record_id, 'format', $2::text, 'job', $5::text) FROM ins
     ), m AS (
       -- The claim e-mails, as queueClaimMail writes them one by one: pending, or skipped with the reason.
       INSERT INTO mail_outbox (issuer_slug, credential_id, kind, state, outcome)
       SELECT $1, ins.id, 'claim',
              CASE WHEN ins.learner_email IS NULL OR NOT $7::boolean THEN 'skipped' ELSE 'pending' END,
              CASE WHEN ins.learner_email IS NULL THEN $8::text WHEN NOT $7::boolean THEN $9::text END
         FROM ins WHERE $6::boolean
     )
     SELECT id FROM ins`,
    [
      slug,
      options.format,
      JSON.stringify(rows),
      options.actor,
      options.jobId,
      options.claimMail !== undefined,
      options.claimMail?.mailFrom === true,
      MAIL_NOT_SENT.noAddress,
      MAIL_NOT_SENT.noFrom,
    ],
  );
  return new Set(res.rows.map((r) => String(r.id)));
}

/**
 * Step 4, inside the caller's transaction: writes the signed credentials (one statement, audit entries included),
 * hands back the indexes of credentials not written, and settles the outcome of rows whose record was stored by
 * someone else meanwhile. Returns the final results.
 */
export async function writeChunk(tx: Queryable, ctx: ServiceContext, slug: string, prepared: PreparedChunk, options: BulkOptions): Promise<ReportRow[]> {
  const results = prepared.results.map((r) => ({ ...r }));
  const release = [...prepared.dropped];
  if (prepared.signed.length > 0) {
    const s = prepared.signed;
    const written = await insertChunk(tx, slug, s, options);
    const lost = s.filter((t) => !written.has(t.id));
    if (lost.length > 0) {
      release.push(...lost.map((t) => t.id));
      // Stored meanwhile by another request or worker: report what is stored now.
      const cur = await tx.query<{ id: string; record_id: string; record_hash: string; format: string }>(
        `SELECT id, record_id, record_hash, format FROM credentials WHERE issuer_slug = $1 AND record_id = ANY($2::text[]) AND superseded_by IS NULL`,
        [slug, lost.map((t) => t.recordId)],
      );
      for (const t of lost) {
        const stored = cur.rows.filter((r) => r.record_id === t.recordId);
        const same = stored.find((r) => r.record_hash === t.recordHash && r.format === options.format);
        const row = results[t.index] as ReportRow;
        if (same) results[t.index] = { ...row, outcome: 'already-issued', credentialId: String(same.id) };
        else {
          const other = stored[0];
          results[t.index] = rejected(row, [
            problem('$.recordId', 'a recordId not yet issued with other content', other ? `the recordId of credential ${other.id}, issued meanwhile with other content` : 'a recordId being issued by another request'),
          ]);
        }
      }
    }
    for (const t of s) if (written.has(t.id)) (results[t.index] as ReportRow).credentialId = t.id;
    // Repeats of a written row within the chunk point at it; repeats of a lost one at what is stored.
    for (const r of results) {
      if (r.outcome !== 'already-issued' || r.credentialId === undefined || written.has(r.credentialId)) continue;
      const t = s.find((x) => x.id === r.credentialId);
      if (t) {
        const settled = results[t.index] as ReportRow;
        if (settled.credentialId !== undefined) r.credentialId = settled.credentialId;
        else Object.assign(r, { outcome: settled.outcome, problems: settled.problems });
      }
    }
  }
  await releaseStatusIndexes(tx, release);
  return results;
}

/** Counts of a chunk's results, as the job stores them. */
export function countResults(results: readonly ReportRow[]): { issued: number; existing: number; rejected: number; valid: number } {
  const c = { issued: 0, existing: 0, rejected: 0, valid: 0 };
  for (const r of results) {
    if (r.outcome === 'issued') c.issued++;
    else if (r.outcome === 'already-issued') c.existing++;
    else if (r.outcome === 'would-issue') c.valid++;
    else c.rejected++;
  }
  return c;
}
