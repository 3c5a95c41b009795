/**
 * Internal: the staff page (/admin) for registry staff: sign-in with an API key, the upload of an export with its
 * mapping, a job's progress (a `Refresh` header while the reader watches it, so it works without script) and its
 * report, a learner's credentials with revoke and suspend, the audit log. Every text is escaped by the templates;
 * every form posts the session's CSRF token.
 */
import type { ComponentChildren } from 'preact';
import type { AuditRow } from '../../store/audit.js';
import type { CredentialRow } from '../../store/credentials.js';
import type { Reply } from '../http/declare.js';
import type { JobStatus } from '../jobs.js';
import type { StaffSession } from '../staff-session.js';
import { htmlPage } from './page.js';
import type { PageContext } from './page.js';
import { staffWords } from './staff-words.js';

type W = ReturnType<typeof staffWords>;

function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="csrf" value={token} />;
}

function Rows({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="rows">
      {rows.map(([k, v]) => (
        <div class="rows__row">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function page(pc: PageContext, title: string, body: ComponentChildren, o: { status?: number; headers?: Record<string, string> } = {}): Reply {
  return htmlPage(pc, { title, body, noindex: true, ...(o.status !== undefined ? { status: o.status } : {}), ...(o.headers ? { headers: o.headers } : {}) });
}

/**
 * The sign-in form (`failed`: the key given was refused).
 *
 * @example
 * ```ts
 * return signInPage(pc, { csrf: token, setCookie });
 * ```
 */
export function signInPage(pc: PageContext, o: { csrf: string; setCookie?: string; failed?: boolean }): Reply {
  const w = staffWords(pc.lang);
  const body = (
    <>
      <h1>{w.title}</h1>
      {o.failed && (
        <div class="panel" role="alert">
          <p>{w.signInFailed}</p>
        </div>
      )}
      <p>{w.signInIntro}</p>
      <form method="post" action={`${pc.base}/admin/sign-in`}>
        <Csrf token={o.csrf} />
        <div class="field">
          <label for="token">{w.apiKey}</label>
          <p class="hint" id="token-hint">{w.apiKeyHint}</p>
          <input type="password" id="token" name="token" autocomplete="off" required aria-describedby="token-hint" aria-invalid={o.failed ? 'true' : undefined} />
        </div>
        <button class="button" type="submit">{w.signIn}</button>
      </form>
    </>
  );
  const headers: Record<string, string> = o.setCookie ? { 'Set-Cookie': o.setCookie } : {};
  return page(pc, w.title, body, { ...(o.failed ? { status: 401 } : {}), headers });
}

function SignedIn({ pc, w, session }: { pc: PageContext; w: W; session: StaffSession }) {
  return (
    <div class="panel">
      <p>
        {w.signedInAs} <code>{session.key.id}</code> ({w.scopes}: {session.key.scopes.join(', ')}).
      </p>
      <form method="post" action={`${pc.base}/admin/sign-out`}>
        <Csrf token={session.csrf} />
        <button class="button button--secondary" type="submit">{w.signOut}</button>
      </form>
    </div>
  );
}

function UploadForm({ pc, w, session }: { pc: PageContext; w: W; session: StaffSession }) {
  return (
    <section aria-labelledby="upload-heading">
      <h2 id="upload-heading">{w.upload}</h2>
      <p>{w.uploadIntro}</p>
      <form method="post" action={`${pc.base}/admin/jobs`} enctype="multipart/form-data">
        <Csrf token={session.csrf} />
        <div class="field">
          <label for="mapping">{w.mapping}</label>
          <p class="hint" id="mapping-hint">{w.mappingHint}</p>
          <input type="file" id="mapping" name="mapping" accept=".json,application/json" aria-describedby="mapping-hint" />
        </div>
        <div class="field">
          <label for="file">{w.exportFile}</label>
          <p class="hint" id="file-hint">{w.exportHint}</p>
          <input type="file" id="file" name="file" required accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson" aria-describedby="file-hint" />
        </div>
        <div class="check-field">
          <input type="checkbox" id="dryRun" name="dryRun" value="true" />
          <label for="dryRun">{w.dryRun}</label>
        </div>
        <button class="button" type="submit">{w.start}</button>
      </form>
    </section>
  );
}

function JobLine({ pc, w, job }: { pc: PageContext; w: W; job: JobStatus }) {
  return (
    <li>
      <a href={`${pc.base}/admin/jobs/${encodeURIComponent(job.id)}`}>
        {w.job} {job.createdAt.slice(0, 16).replace('T', ' ')}
      </a>
      {` — ${w.state[job.state]}, ${job.processed}/${job.total} ${w.rows}${job.dryRun ? ` (${w.dryRun.split(':')[0]})` : ''}`}
    </li>
  );
}

/**
 * The staff page of a signed-in reader: what the key's scopes allow.
 *
 * @example
 * ```ts
 * return dashboardPage(pc, { session, issuerName, jobs });
 * ```
 */
export function dashboardPage(pc: PageContext, o: { session: StaffSession; issuerName: string; jobs?: JobStatus[] }): Reply {
  const w = staffWords(pc.lang);
  const can = (s: string): boolean => o.session.key.scopes.includes(s as never);
  const body = (
    <>
      <h1>
        {w.title}: {o.issuerName}
      </h1>
      <SignedIn pc={pc} w={w} session={o.session} />
      {can('issue') && <UploadForm pc={pc} w={w} session={o.session} />}
      {o.jobs && (
        <section aria-labelledby="jobs-heading">
          <h2 id="jobs-heading">{w.jobs}</h2>
          {o.jobs.length === 0 ? <p>{w.noJobs}</p> : <ul class="records">{o.jobs.map((job) => <JobLine pc={pc} w={w} job={job} />)}</ul>}
        </section>
      )}
      {can('read') && (
        <section aria-labelledby="find-heading">
          <h2 id="find-heading">{w.find}</h2>
          <form method="get" action={`${pc.base}/admin/credentials`}>
            <div class="field">
              <label for="learner">{w.learner}</label>
              <input type="search" id="learner" name="learner" required />
            </div>
            <button class="button" type="submit">{w.search}</button>
          </form>
        </section>
      )}
      {can('admin') && (
        <section aria-labelledby="audit-heading">
          <h2 id="audit-heading">{w.audit}</h2>
          <p>
            <a href={`${pc.base}/admin/audit`}>{w.readAudit}</a>
          </p>
        </section>
      )}
    </>
  );
  return page(pc, w.title, body);
}

/**
 * A job's progress and report. `watch`: the page refreshes itself (a `Refresh` header) until the job is finished.
 *
 * @example
 * ```ts
 * return jobPage(pc, { session, job, watch: true });
 * ```
 */
export function jobPage(pc: PageContext, o: { session: StaffSession; job: JobStatus; watch: boolean }): Reply {
  const w = staffWords(pc.lang);
  const { job } = o;
  const open = job.state !== 'done' && job.state !== 'cancelled';
  const self = `${pc.base}/admin/jobs/${encodeURIComponent(job.id)}`;
  const pct = job.total > 0 ? Math.floor((job.processed / job.total) * 100) : 0;
  const rows: [string, ComponentChildren][] = [
    [w.status, w.state[job.state]],
    [w.total, String(job.total)],
    [w.processed, `${job.processed} (${pct}%)`],
    ...(job.dryRun ? [[w.wouldIssue, String(job.counts.wouldIssue)] as [string, string]] : [[w.issued, String(job.counts.issued)] as [string, string]]),
    [w.alreadyIssued, String(job.counts.alreadyIssued)],
    [w.rejected, String(job.counts.rejected)],
    ...(job.rate !== undefined ? [[w.rate, `${job.rate} ${w.perSecond}`] as [string, string]] : []),
    ...(open && job.etaSeconds !== undefined ? [[w.eta, `${job.etaSeconds} ${w.seconds}`] as [string, string]] : []),
  ];
  const body = (
    <>
      <h1>
        {w.job} <code>{job.id}</code>
      </h1>
      <label for="job-progress">{w.progress}</label>
      <progress id="job-progress" max={Math.max(1, job.total)} value={job.processed}>{`${pct}%`}</progress>
      <Rows rows={rows} />
      {open && (
        <p>
          {o.watch ? <>{w.refreshing} <a href={self}>{w.stopRefresh}</a></> : <a href={`${self}?watch=1`}>{w.startRefresh}</a>} · <a href={o.watch ? `${self}?watch=1` : self}>{w.refresh}</a>
        </p>
      )}
      <h2>{w.report}</h2>
      <ul class="actions">
        <li>
          <a class="button" href={`${self}/report?type=csv`} download>{w.reportCsv}</a>
        </li>
        <li>
          <a class="button button--secondary" href={`${self}/report?type=ndjson`} download>{w.reportNdjson}</a>
        </li>
      </ul>
      {open && o.session.key.scopes.includes('issue') && (
        <form method="post" action={`${self}/cancel`}>
          <Csrf token={o.session.csrf} />
          <button class="button button--secondary" type="submit">{w.cancel}</button>
        </form>
      )}
      <p>
        <a href={`${pc.base}/admin`}>{w.back}</a>
      </p>
    </>
  );
  return page(pc, `${w.job} ${w.state[job.state]}`, body, o.watch && open ? { headers: { Refresh: '3' } } : {});
}

/** What every form about one of a learner's credentials posts besides its action. */
function CredentialFields({ session, row, learner }: { session: StaffSession; row: CredentialRow; learner: string }) {
  return (
    <>
      <Csrf token={session.csrf} />
      <input type="hidden" name="id" value={row.id} />
      <input type="hidden" name="learner" value={learner} />
    </>
  );
}

function StatusForm({ pc, w, session, row, learner, n }: { pc: PageContext; w: W; session: StaffSession; row: CredentialRow; learner: string; n: number }) {
  if (row.status === 'revoked') return null;
  return (
    <form method="post" action={`${pc.base}/admin/credentials/status`}>
      <CredentialFields session={session} row={row} learner={learner} />
      <div class="field">
        <label for={`reason-${n}`}>{w.reason}</label>
        <p class="hint" id={`reason-hint-${n}`}>{w.reasonHint}</p>
        <input type="text" id={`reason-${n}`} name="reason" maxLength={500} aria-describedby={`reason-hint-${n}`} />
      </div>
      <div class="actions">
        {row.status === 'suspended' ? (
          <button class="button button--secondary" type="submit" name="action" value="unsuspend">{w.unsuspend}</button>
        ) : (
          <button class="button button--secondary" type="submit" name="action" value="suspend">{w.suspend}</button>
        )}
        <button class="button" type="submit" name="action" value="revoke">{w.revoke}</button>
      </div>
    </form>
  );
}

/** The learner's page of a credential: withdraw it, or put it back at its address or a new one. */
function PageForm({ pc, w, session, row, learner }: { pc: PageContext; w: W; session: StaffSession; row: CredentialRow; learner: string }) {
  if (!row.pageToken) return null;
  return (
    <form method="post" action={`${pc.base}/admin/credentials/page`}>
      <CredentialFields session={session} row={row} learner={learner} />
      <div class="actions">
        {row.pageWithdrawnAt === undefined ? (
          <button class="button button--secondary" type="submit" name="action" value="withdraw">{w.withdrawPage}</button>
        ) : (
          <button class="button button--secondary" type="submit" name="action" value="restore">{w.restorePage}</button>
        )}
        <button class="button button--secondary" type="submit" name="action" value="new-link">{w.newPageLink}</button>
      </div>
    </form>
  );
}

/** Where the learner's page is, or that it was withdrawn. */
function pageCell(pc: PageContext, w: W, row: CredentialRow) {
  if (!row.pageToken) return '–';
  if (row.pageWithdrawnAt !== undefined) return w.pageWithdrawn;
  return <a href={`${pc.base}/c/${row.pageToken}`}>{`${pc.publicUrl}/c/${row.pageToken}`}</a>;
}

/**
 * A learner's credentials, each with the status actions the key allows.
 *
 * @example
 * ```ts
 * return credentialsPage(pc, { session, learner: 'S2310457', items, changed: false });
 * ```
 */
export function credentialsPage(pc: PageContext, o: { session: StaffSession; learner: string; items: CredentialRow[]; changed: boolean; pageChanged?: boolean }): Reply {
  const w = staffWords(pc.lang);
  const canChange = o.session.key.scopes.includes('revoke');
  const body = (
    <>
      <h1>
        {w.found} {o.learner}
      </h1>
      {(o.changed || o.pageChanged) && (
        <div class="panel" role="status">
          <p>{o.pageChanged ? w.pageChanged : w.changed}</p>
        </div>
      )}
      {o.items.length === 0 ? (
        <p>
          {w.noCredentials} {o.learner}.
        </p>
      ) : (
        <ul class="records">
          {o.items.map((row, n) => (
            <li>
              <Rows
                rows={[
                  [w.id, <code>{row.id}</code>],
                  [w.recordId, row.recordId],
                  [w.course, row.courseCode ? `${row.courseCode}${row.courseVersion !== undefined ? ` v${row.courseVersion}` : ''}` : '–'],
                  [w.awarded, row.awardedDate],
                  [w.status, `${w.statusText[row.status]}${row.reason ? ` (${row.reason})` : ''}`],
                  [w.page, pageCell(pc, w, row)],
                ]}
              />
              {canChange && <StatusForm pc={pc} w={w} session={o.session} row={row} learner={o.learner} n={n} />}
              {canChange && <PageForm pc={pc} w={w} session={o.session} row={row} learner={o.learner} />}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={`${pc.base}/admin`}>{w.back}</a>
      </p>
    </>
  );
  return page(pc, w.credentials, body);
}

/**
 * A page of the audit log, newest first.
 *
 * @example
 * ```ts
 * return auditPage(pc, { items, next });
 * ```
 */
export function auditPage(pc: PageContext, o: { items: AuditRow[]; next?: string }): Reply {
  const w = staffWords(pc.lang);
  const body = (
    <>
      <h1>{w.audit}</h1>
      <p>{w.auditIntro}</p>
      {o.items.length === 0 ? (
        <p>{w.noAudit}</p>
      ) : (
        <ul class="records">
          {o.items.map((e) => (
            <li>
              <Rows rows={[[w.when, e.at], [w.who, e.actor], [w.what, e.action], ...(e.target ? [[w.target, e.target] as [string, string]] : []), ...(e.reason ? [[w.reason, e.reason] as [string, string]] : [])]} />
            </li>
          ))}
        </ul>
      )}
      {o.next && (
        <p>
          <a href={`${pc.base}/admin/audit?cursor=${encodeURIComponent(o.next)}`}>{w.older}</a>
        </p>
      )}
      <p>
        <a href={`${pc.base}/admin`}>{w.back}</a>
      </p>
    </>
  );
  return page(pc, w.audit, body);
}
