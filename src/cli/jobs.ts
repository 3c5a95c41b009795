/**
 * `microcred jobs submit`: an export (CSV with its column mapping, or NDJSON) to a bulk job, on a service over HTTP
 * or on its data directory; shows the progress (a bar on a terminal, plain lines otherwise), waits, and writes the
 * per-row report. Exit 0 when every row was issued or already issued (dry run: would be), 1 when some were
 * rejected or the job was cancelled.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobStatus } from '../service/jobs.js';
import { InputError, UsageError, parse, printJson, readInput, type Command, type Out } from './command.js';
import { cliError, remoteOf, request, withLocalService, type Remote } from './jobs-http.js';

const FLAGS = {
  issuer: { type: 'string' }, mapping: { type: 'string' }, server: { type: 'string' }, token: { type: 'string' }, data: { type: 'string' },
  'dry-run': { type: 'boolean', default: false }, format: { type: 'string' }, report: { type: 'string' }, 'no-wait': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

interface Submission {
  file: string;
  slug: string;
  mapping?: { text: string; value: unknown };
  input: 'csv' | 'ndjson';
  dryRun: boolean;
  format: 'di' | 'jwt';
}

/** The progress of a job: a bar redrawn on one line of a terminal, or a plain line. */
export function progressLine(job: JobStatus, tty: boolean): string {
  const { total, processed, counts } = job;
  const pct = total > 0 ? Math.floor((processed / total) * 100) : 0;
  const rate = job.rate !== undefined ? `, ${job.rate} rows/s` : '';
  const eta = job.etaSeconds !== undefined ? `, about ${job.etaSeconds} s left` : '';
  const outcome = job.dryRun ? `${counts.wouldIssue} would be issued` : `${counts.issued} issued, ${counts.alreadyIssued} already issued`;
  const text = `${processed}/${total} rows (${pct}%): ${outcome}, ${counts.rejected} rejected${rate}${eta}`;
  if (!tty) return `job ${job.id} ${job.state}: ${text}\n`;
  const width = 30;
  const filled = Math.round((pct / 100) * width);
  return `\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
}

async function readSubmission(file: string, values: { issuer?: string; mapping?: string; 'dry-run': boolean; format?: string }): Promise<Submission> {
  if (!values.issuer) throw new UsageError('jobs submit needs --issuer SLUG', jobs);
  const format = values.format ?? 'di';
  if (format !== 'di' && format !== 'jwt') throw new UsageError(`--format must be "di" or "jwt", got "${format}"`, jobs);
  try {
    if (!(await stat(file)).isFile()) throw new InputError(`cannot read ${file}: it is not a file`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let mapping: Submission['mapping'];
  if (values.mapping !== undefined) {
    const text = await readInput(values.mapping);
    try {
      mapping = { text, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
    } catch (e) {
      throw new InputError(`mapping ${values.mapping} is not valid JSON: ${(e as Error).message}`);
    }
  } else if (/\.csv$/i.test(file)) {
    throw new UsageError(`${file} is CSV: jobs submit needs --mapping M (the column mapping, JSON; see examples/sits-mapping.json)`, jobs);
  }
  return { file, slug: values.issuer, ...(mapping ? { mapping } : {}), input: mapping ? 'csv' : 'ndjson', dryRun: values['dry-run'], format };
}

function reportPath(file: string, report: string | undefined): string {
  if (report !== undefined) return report;
  const parsed = path.parse(file);
  return path.join(parsed.dir, `${parsed.name}.report.csv`);
}

const isNdjson = (file: string): boolean => /\.(ndjson|jsonl)$/i.test(file);

/** The job on a service over HTTP: submitted, followed, its report written. */
async function remoteJob(remote: Remote, s: Submission, o: { wait: boolean; report: string; progress(job: JobStatus): void }): Promise<JobStatus> {
  const form = new FormData();
  form.append('input', s.input);
  if (s.mapping) form.append('mapping', s.mapping.text);
  form.append('file', await openAsBlob(s.file), path.basename(s.file));
  const query = `?format=${s.format}${s.dryRun ? '&dryRun=true' : ''}`;
  let job = (await request(remote, 'POST', `/issuers/${s.slug}/jobs${query}`, { body: form })) as JobStatus;
  if (!o.wait) return job;
  while (job.state !== 'done' && job.state !== 'cancelled') {
    o.progress(job);
    await sleep(500);
    job = (await request(remote, 'GET', `/issuers/${s.slug}/jobs/${job.id}`)) as JobStatus;
  }
  o.progress(job);
  const res = (await request(remote, 'GET', `/issuers/${s.slug}/jobs/${job.id}/results?type=${isNdjson(o.report) ? 'ndjson' : 'csv'}`, { raw: true })) as Response;
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(o.report));
  return job;
}

/** The job on the data directory: submitted, worked on in this process, its report written. */
async function localJob(dataDir: string | undefined, s: Submission, o: { wait: boolean; report: string; progress(job: JobStatus): void }): Promise<JobStatus> {
  const { submitJob, getJobStatus, readJobResults } = await import('../service/jobs.js');
  const { reportCsv, reportNdjson } = await import('../import/report.js');
  return withLocalService(dataDir, o.wait, async ({ context }) => {
    let job = await submitJob(context, s.slug, createReadStream(s.file), {
      input: s.input,
      ...(s.mapping ? { mapping: s.mapping.value } : {}),
      format: s.format,
      dryRun: s.dryRun,
      actor: 'cli',
      ...(context.config.jobLimits ? { limits: context.config.jobLimits } : {}),
    });
    if (!o.wait) return job;
    while (job.state !== 'done' && job.state !== 'cancelled') {
      o.progress(job);
      await sleep(250);
      job = await getJobStatus(context, s.slug, job.id);
    }
    o.progress(job);
    const rows = readJobResults(context, s.slug, job.id);
    await pipeline(Readable.from(isNdjson(o.report) ? reportNdjson(rows) : reportCsv(rows)), createWriteStream(o.report));
    return job;
  });
}

function summary(job: JobStatus, report: string): string {
  const c = job.counts;
  const what = job.dryRun
    ? `dry run, nothing issued: ${c.wouldIssue} would be issued, ${c.alreadyIssued} already issued, ${c.rejected} rejected`
    : `${c.issued} issued, ${c.alreadyIssued} already issued, ${c.rejected} rejected`;
  const cancelled = job.state === 'cancelled' ? ` (cancelled: ${job.total - job.processed} rows not processed)` : '';
  return `Job ${job.id}: ${job.total} rows, ${what}${cancelled}.\nReport: ${report}\n`;
}

function reporter(out: Out, json: boolean): (job: JobStatus) => void {
  let last = '';
  return (job) => {
    if (json) return;
    const line = progressLine(job, out.isTTY === true);
    if (line === last) return;
    last = line;
    out.stderr(line);
    if (out.isTTY && (job.state === 'done' || job.state === 'cancelled')) out.stderr('\n');
  };
}

export const jobs: Command = {
  name: 'jobs',
  synopsis: ['jobs submit FILE --issuer SLUG [--mapping M] [--server URL --token T | --data DIR] [--dry-run] [--format di|jwt] [--report OUT] [--no-wait] [--json]'],
  description: `Issue an export as a background job: FILE is CSV with its column mapping M (JSON; see
examples/sits-mapping.json) or NDJSON (one completion record per line). Shows the progress (a bar on a terminal,
plain lines otherwise), waits, and writes the per-row report to OUT (default FILE's name with .report.csv; .ndjson
for NDJSON). --dry-run validates every row and issues nothing. On a running service with --server (API key with the
"issue" and "read" scopes; MICROCRED_TOKEN instead of --token), else on the data directory (the work is done in
this process). Exit 0 when every row was issued or already issued, 1 when some were rejected.
--json prints the job at the end: {"id", "state", "total", "processed", "counts", "report"}.`,
  async run(args, out) {
    const [sub, ...rest] = args;
    if (sub !== 'submit') throw new UsageError('jobs needs a subcommand: submit', jobs);
    const { values, positionals } = parse(jobs, rest, FLAGS);
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('jobs submit needs exactly one FILE', jobs);
    const s = await readSubmission(file, values);
    const remote = remoteOf(jobs, values);
    const report = reportPath(file, values.report);
    const o = { wait: !values['no-wait'], report, progress: reporter(out, values.json) };
    let job: JobStatus;
    try {
      job = remote ? await remoteJob(remote, s, o) : await localJob(values.data, s, o);
    } catch (e) {
      throw cliError(e);
    }
    if (values.json) printJson(out, { ...job, ...(o.wait ? { report } : {}) });
    else if (!o.wait) out.stdout(`Job ${job.id} submitted (${job.total} rows, ${job.state}).\n`);
    else out.stdout(summary(job, report));
    if (!o.wait) return 0;
    return job.state === 'done' && job.counts.rejected === 0 ? 0 : 1;
  },
};
