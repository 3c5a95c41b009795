/**
 * Background bulk jobs: an export (CSV with its column mapping, or NDJSON) streamed in and stored, worked on by
 * any instance sharing the database; its state, counts, rate and ETA; the per-row report streamed out; cancel.
 */
import { Readable } from 'node:stream';
import { reportCsv, reportNdjson } from '../../import/report.js';
import { defineRoute, json, ndjson, text } from '../http/declare.js';
import type { Router } from '../http/declare.js';
import { algParam, enumParam, flagParam, formatParam, integerParam, textParam } from '../http/inputs.js';
import { submitJobUpload } from '../job-upload.js';
import { cancelJob, getJobStatus, listJobStatuses, readJobResults } from '../jobs.js';
import type { ServiceContext } from '../context.js';
import { slug } from './schemas.js';

const jobId = textParam('path', 'Job id (from the answer to the upload).');
const status = {
  type: 'object',
  required: ['id', 'state', 'total', 'processed', 'counts'],
  properties: {
    id: { type: 'string' },
    issuer: { type: 'string' },
    state: { enum: ['receiving', 'queued', 'running', 'done', 'cancelled'] },
    input: { enum: ['csv', 'ndjson'] },
    format: { enum: ['di', 'jwt'] },
    dryRun: { type: 'boolean' },
    total: { type: 'integer' },
    processed: { type: 'integer' },
    counts: { type: 'object', properties: { issued: { type: 'integer' }, alreadyIssued: { type: 'integer' }, rejected: { type: 'integer' }, wouldIssue: { type: 'integer' } } },
    rate: { type: 'number', description: 'Rows per second over the last 30 s.' },
    etaSeconds: { type: 'integer' },
    createdAt: { type: 'string' },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
  },
};
const reportRow = { type: 'object', properties: { row: { type: 'integer' }, line: { type: 'integer' }, recordId: { type: 'string' }, outcome: { enum: ['issued', 'already-issued', 'rejected', 'would-issue', 'not-processed'] }, credentialId: { type: 'string' }, url: { type: 'string' }, problems: { type: 'array' } } };

/** Longest wait of a followed report (`?follow=true`), ms. */
const FOLLOW_MS = 30 * 60_000;

/** The report of a job as CSV or NDJSON (by `?type=`, else the Accept header), streamed. */
export async function reportReply(ctx: ServiceContext, issuer: string, id: string, o: { csv: boolean; follow: boolean }) {
  await getJobStatus(ctx, issuer, id);
  // A follower that went away is noticed only when a row is written: the wait ends anyway after a while.
  const rows = readJobResults(ctx, issuer, id, { follow: o.follow, ...(o.follow ? { timeoutMs: FOLLOW_MS } : {}) });
  return o.csv
    ? { type: 'text/csv; charset=utf-8', headers: { 'Content-Disposition': `attachment; filename="job-${id}-report.csv"` }, stream: Readable.from(reportCsv(rows)) }
    : { type: 'application/x-ndjson', stream: Readable.from(reportNdjson(rows)) };
}

export const jobs: Router = {
  name: 'jobs',
  routes: [
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/jobs',
      summary: 'Start a bulk job from an export (streamed; answers 202)',
      description:
        'multipart/form-data with the parts "mapping" (the column mapping, JSON; CSV only) then "file" (the export), or an application/x-ndjson body of completion records (one per line). Read as it arrives and stored in chunks; rows with problems become rejected rows of the report, an unreadable file (or one over the limits) is refused whole and leaves nothing.',
      tags: ['jobs'],
      auth: { scope: 'issue', issuer: 'path' },
      params: { slug },
      query: { dryRun: flagParam('Validate every row and report what would happen; issue nothing.'), format: formatParam, alg: algParam },
      body: { required: true, stream: true, content: { 'multipart/form-data': { type: 'object', properties: { mapping: { type: 'string' }, file: { type: 'string', format: 'binary' } } }, 'application/x-ndjson': { type: 'string' } } },
      responses: { 202: json('Accepted: the job, queued.', status) },
      errors: { 400: 'Malformed request (the field is named).', 404: 'Unknown issuer.', 413: 'Over the upload limits.', 415: 'Not multipart/form-data or NDJSON.', 422: 'Invalid mapping or unreadable export (with its line).' },
      handler: async ({ path, query, headers, stream, principal }, { ctx, wakeJobWorker }) => {
        const job = await submitJobUpload(ctx, path.slug, headers, stream as Readable, {
          ...(query.format ? { format: query.format } : {}),
          ...(query.alg ? { alg: query.alg } : {}),
          dryRun: query.dryRun === true,
          actor: principal?.actor as string,
        });
        wakeJobWorker?.();
        return { status: 202, location: `${ctx.publicUrl}/issuers/${path.slug}/jobs/${job.id}`, json: job };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/jobs',
      summary: "The issuer's most recent jobs, newest first",
      tags: ['jobs'],
      auth: { scope: 'read', issuer: 'path' },
      params: { slug },
      query: { limit: integerParam('query', 'How many (1-500, default 50).', 1, 500) },
      responses: { 200: json('{items}.', { type: 'object', properties: { items: { type: 'array', items: status } } }) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer.' },
      handler: async ({ path, query }, { ctx }) => ({ json: { items: await listJobStatuses(ctx, path.slug, query.limit !== undefined ? { limit: query.limit } : {}) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/jobs/{id}',
      summary: 'A job: state, counts, rate and ETA',
      tags: ['jobs'],
      auth: { scope: 'read', issuer: 'path' },
      params: { slug, id: jobId },
      responses: { 200: json('The job.', status) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer or job.' },
      handler: async ({ path }, { ctx }) => ({ json: await getJobStatus(ctx, path.slug, path.id) }),
    }),
    defineRoute({
      method: 'get',
      path: '/issuers/{slug}/jobs/{id}/results',
      summary: 'The per-row report of a job (NDJSON or CSV, streamed)',
      tags: ['jobs'],
      auth: { scope: 'read', issuer: 'path' },
      params: { slug, id: jobId },
      query: {
        type: enumParam('query', 'csv or ndjson (default: by the Accept header, else ndjson).', ['csv', 'ndjson'] as const),
        follow: flagParam('Wait for the rows still being worked on (until the job is done or cancelled, at most 30 minutes).'),
      },
      responses: { 200: { ...ndjson('The report, in row order.', reportRow), content: { ...ndjson('', reportRow).content, ...text('', 'text/csv').content } } },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer or job.' },
      handler: async ({ path, query, headers }, { ctx }) => {
        const csv = query.type === 'csv' || (query.type === undefined && /\btext\/csv\b/.test(headers.accept ?? ''));
        return reportReply(ctx, path.slug, path.id, { csv, follow: query.follow === true });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/issuers/{slug}/jobs/{id}/cancel',
      summary: 'Cancel a job (rows not processed are reported not-processed; what was issued stays issued)',
      tags: ['jobs'],
      auth: { scope: 'issue', issuer: 'path' },
      params: { slug, id: jobId },
      responses: { 200: json('The job after the change.', status) },
      errors: { 400: 'Malformed request.', 404: 'Unknown issuer or job.' },
      handler: async ({ path, principal }, { ctx }) => ({ json: await cancelJob(ctx, path.slug, path.id, { actor: principal?.actor as string }) }),
    }),
  ],
};
