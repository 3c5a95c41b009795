// The catalogue and bulk job routes over real HTTP: every route's success and its error answers (problem+json
// naming the field), the SIS example export from upload to the streamed report, NDJSON jobs, cancel.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, recordMinimal, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

const example = (name: string): string => new URL(`../examples/${name}`, import.meta.url).pathname;
const mappingText = readFileSync(example('sits-mapping.json'), 'utf8');
const exportCsv = readFileSync(example('sits-export.csv'));
const course = (code: string): Record<string, unknown> => JSON.parse(readFileSync(example(`catalogue/${code}.json`), 'utf8')) as Record<string, unknown>;

function upload(parts: { mapping?: string; file?: Buffer | string; filename?: string; input?: string }): FormData {
  const form = new FormData();
  if (parts.input !== undefined) form.append('input', parts.input);
  if (parts.mapping !== undefined) form.append('mapping', new Blob([parts.mapping], { type: 'application/json' }), 'mapping.json');
  const filename = parts.filename ?? 'export.csv';
  if (parts.file !== undefined) form.append('file', new Blob([parts.file], { type: filename.endsWith('.csv') ? 'text/csv' : 'application/x-ndjson' }), filename);
  return form;
}

async function post(h: Harness, pathname: string, body: FormData | string, token: string, type?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${h.url}${pathname}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function waitDone(h: Harness, id: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const r = await call(h, 'GET', `/issuers/${h.slug}/jobs/${id}`, { token: h.tokens.full });
    if (r.body.state === 'done' || r.body.state === 'cancelled') return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('job not done');
}

describe('catalogue and bulk job routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ jobLimits: { maxRows: 20, chunkRows: 2 }, jobWorkerThreads: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('PUT a course: 201 with its version, 200 when unchanged, a new version when changed', async () => {
    const first = await call(h, 'PUT', `/issuers/${h.slug}/courses/PHM7021`, { token: h.tokens.full, body: course('PHM7021') });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`${h.url}/issuers/${h.slug}/courses/PHM7021`);
    expect(first.body).toMatchObject({ code: 'PHM7021', version: 1, course: { title: course('PHM7021').title } });
    const again = await call(h, 'PUT', `/issuers/${h.slug}/courses/PHM7021`, { token: h.tokens.full, body: course('PHM7021') });
    expect([again.status, again.body.version]).toEqual([200, 1]);
    const changed = await call(h, 'PUT', `/issuers/${h.slug}/courses/PHM7021`, { token: h.tokens.full, body: { ...course('PHM7021'), title: 'Data Analysis for Public Health (2026)' } });
    expect([changed.status, changed.body.version]).toEqual([201, 2]);
    expect((await call(h, 'PUT', `/issuers/${h.slug}/courses/CYB4010`, { token: h.tokens.full, body: course('CYB4010') })).status).toBe(201);
  });

  it('a CPD course without credit (workload in hours), description or QA body and URL is stored; one with neither credits nor workload is a 422 naming $.credits', async () => {
    const cpd = { ...course('CYB4010'), title: 'Masterclass: Clinical Audit', workload: { hours: 12 }, qualityAssurance: [{ type: 'Approved by the Faculty CPD committee' }] } as Record<string, unknown>;
    delete cpd.credits;
    delete cpd.description;
    const put = await call(h, 'PUT', `/issuers/${h.slug}/courses/CPD1`, { token: h.tokens.full, body: cpd });
    expect([put.status, put.body.course.workload]).toEqual([201, { hours: 12 }]);
    const noWorkload = { ...cpd };
    delete noWorkload.workload;
    const refused = await call(h, 'PUT', `/issuers/${h.slug}/courses/CPD2`, { token: h.tokens.full, body: noWorkload });
    expect([refused.status, refused.body.problems.map((p: { path: string }) => p.path)]).toEqual([422, ['$.credits']]);
  });

  it('GET a course (current or a version), its versions, and the catalogue a page at a time', async () => {
    const current = await call(h, 'GET', `/issuers/${h.slug}/courses/PHM7021`, { token: h.tokens.readOnly });
    expect([current.status, current.body.version, current.body.course.title]).toEqual([200, 2, 'Data Analysis for Public Health (2026)']);
    const v1 = await call(h, 'GET', `/issuers/${h.slug}/courses/PHM7021?version=1`, { token: h.tokens.readOnly });
    expect([v1.status, v1.body.version]).toEqual([200, 1]);
    const history = await call(h, 'GET', `/issuers/${h.slug}/courses/PHM7021/versions`, { token: h.tokens.readOnly });
    expect(history.body.items.map((e: { version: number }) => e.version)).toEqual([1, 2]);
    const page1 = await call(h, 'GET', `/issuers/${h.slug}/courses?limit=1`, { token: h.tokens.readOnly });
    expect(page1.body.items.map((e: { code: string }) => e.code)).toEqual(['CPD1']);
    const next = new URL(page1.body.next as string);
    const page2 = await call(h, 'GET', `${next.pathname}${next.search.replace('limit=1', 'limit=2')}`, { token: h.tokens.readOnly });
    expect(page2.body.items.map((e: { code: string; version: number }) => [e.code, e.version])).toEqual([['CYB4010', 1], ['PHM7021', 2]]);
    expect(page2.body.next).toBeUndefined();
  });

  it('course errors: invalid course (422 with paths), not an object, wrong code, unknown course or version, bad version, auth', async () => {
    const bad = await call(h, 'PUT', `/issuers/${h.slug}/courses/BAD1`, { token: h.tokens.full, body: { ...course('CYB4010'), code: 'OTHER', level: { framework: 'SCQF' } } });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['$.code', '$.level.level']));
    const notObject = await call(h, 'PUT', `/issuers/${h.slug}/courses/BAD1`, { token: h.tokens.full, body: [1] });
    expect(notObject.status).toBe(400);
    expect((await call(h, 'GET', `/issuers/${h.slug}/courses/BAD1`, { token: h.tokens.full })).status).toBe(404);
    expect((await call(h, 'GET', `/issuers/${h.slug}/courses/BAD1/versions`, { token: h.tokens.full })).status).toBe(404);
    const noVersion = await call(h, 'GET', `/issuers/${h.slug}/courses/PHM7021?version=9`, { token: h.tokens.full });
    expect([noVersion.status, noVersion.body.detail]).toEqual([404, expect.stringContaining('no version 9')]);
    const badVersion = await call(h, 'GET', `/issuers/${h.slug}/courses/PHM7021?version=first`, { token: h.tokens.full });
    expect([badVersion.status, badVersion.body.parameter]).toEqual([400, { in: 'query', name: 'version' }]);
    expect((await call(h, 'GET', `/issuers/${h.slug}/courses?limit=0`, { token: h.tokens.full })).body.parameter).toEqual({ in: 'query', name: 'limit' });
    expect((await call(h, 'PUT', `/issuers/${h.slug}/courses/X1`, { body: course('CYB4010') })).status).toBe(401);
    expect((await call(h, 'PUT', `/issuers/${h.slug}/courses/X1`, { token: h.tokens.readOnly, body: course('CYB4010') })).status).toBe(403);
    expect((await call(h, 'GET', `/issuers/${h.slug}/courses`, { token: h.tokens.other })).status).toBe(403);
  });

  it('a CSV export with its mapping: dry run, then issue; status with counts; the report as NDJSON and CSV', async () => {
    const dry = await post(h, `/issuers/${h.slug}/jobs?dryRun=true`, upload({ mapping: mappingText, file: exportCsv }), h.tokens.full);
    expect(dry.status).toBe(202);
    expect(dry.headers.get('location')).toBe(`${h.url}/issuers/${h.slug}/jobs/${dry.body.id}`);
    expect(dry.body).toMatchObject({ state: 'queued', input: 'csv', dryRun: true, total: 6 });
    expect(await waitDone(h, dry.body.id)).toMatchObject({ state: 'done', processed: 6, counts: { issued: 0, rejected: 2, wouldIssue: 4 } });

    const job = await post(h, `/issuers/${h.slug}/jobs`, upload({ mapping: mappingText, file: exportCsv }), h.tokens.full);
    expect(job.status).toBe(202);
    // Following the report waits for the rows still being worked on.
    const followed = await fetch(`${h.url}/issuers/${h.slug}/jobs/${job.body.id}/results?follow=true`, { headers: { authorization: `Bearer ${h.tokens.full}` } });
    expect(followed.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const rows = (await followed.text()).trim().split('\n').map((l) => JSON.parse(l) as { row: number; outcome: string; url?: string; credentialId?: string; problems?: { column?: string }[] });
    expect(rows.map((r) => r.outcome)).toEqual(['issued', 'issued', 'rejected', 'issued', 'rejected', 'issued']);
    // The report's link is the learner's page, which opens.
    expect(rows[0]?.url).toMatch(new RegExp(`^${h.url}/c/[A-Za-z0-9_-]{30,}$`));
    const page = await fetch(rows[0]?.url as string);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const done = await waitDone(h, job.body.id);
    expect(done).toMatchObject({ state: 'done', counts: { issued: 4, alreadyIssued: 0, rejected: 2 } });
    const stored = await call(h, 'GET', `/issuers/${h.slug}/credentials/${encodeURIComponent(rows[0]?.credentialId as string)}`, { token: h.tokens.full });
    expect(stored.status).toBe(200);

    const csv = await fetch(`${h.url}/issuers/${h.slug}/jobs/${job.body.id}/results`, { headers: { authorization: `Bearer ${h.tokens.full}`, accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('attachment');
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('row,line,recordId,outcome,credentialId,url,problems');
    expect(lines).toHaveLength(7);
    const sameCsv = await call(h, 'GET', `/issuers/${h.slug}/jobs/${job.body.id}/results?type=csv`, { token: h.tokens.full });
    expect(sameCsv.text.replace(/^\uFEFF/, '').trim().split('\r\n')).toEqual(lines);

    const list = await call(h, 'GET', `/issuers/${h.slug}/jobs?limit=2`, { token: h.tokens.readOnly });
    expect(list.body.items.map((j: { id: string }) => j.id)).toEqual([job.body.id, dry.body.id]);

    // The same export again: nothing new, every issued row already issued.
    const again = await post(h, `/issuers/${h.slug}/jobs`, upload({ mapping: mappingText, file: exportCsv }), h.tokens.full);
    expect(await waitDone(h, again.body.id)).toMatchObject({ counts: { issued: 0, alreadyIssued: 4, rejected: 2 } });
  });

  it('an NDJSON job (raw body or a multipart file part), JWT', async () => {
    const lines = [1, 2, 3].map((i) => JSON.stringify({ ...recordMinimal, recordId: `NDJSON-${i}` })).join('\n');
    const job = await post(h, `/issuers/${h.slug}/jobs?format=jwt`, lines, h.tokens.full, 'application/x-ndjson');
    expect(job.status).toBe(202);
    expect(job.body).toMatchObject({ input: 'ndjson', format: 'jwt', total: 3 });
    expect(await waitDone(h, job.body.id)).toMatchObject({ counts: { issued: 3 } });
    const part = await post(h, `/issuers/${h.slug}/jobs`, upload({ file: `${JSON.stringify({ ...recordMinimal, recordId: 'NDJSON-4' })}\n`, filename: 'records.ndjson' }), h.tokens.full);
    expect([part.status, part.body.input]).toEqual([202, 'ndjson']);
    expect(await waitDone(h, part.body.id)).toMatchObject({ counts: { issued: 1 } });
  });

  it('job upload errors name the field: media type, mapping missing or not JSON or invalid, no file, options, limits, auth', async () => {
    const base = `/issuers/${h.slug}/jobs`;
    expect((await post(h, base, 'a,b\n1,2\n', h.tokens.full, 'text/csv')).status).toBe(415);
    const noBody = await fetch(`${h.url}${base}`, { method: 'POST', headers: { authorization: `Bearer ${h.tokens.full}` } });
    expect(noBody.status).toBe(400);
    const noMapping = await post(h, base, upload({ file: exportCsv }), h.tokens.full);
    expect([noMapping.status, noMapping.body.parameter]).toEqual([400, { in: 'body', name: 'mapping' }]);
    const notJson = await post(h, base, upload({ mapping: '{"fields":', file: exportCsv }), h.tokens.full);
    expect([notJson.status, notJson.body.parameter, notJson.body.detail]).toEqual([400, { in: 'body', name: 'mapping' }, expect.stringContaining('not valid JSON')]);
    const invalid = await post(h, base, upload({ mapping: JSON.stringify({ fields: { 'learner.nickname': { column: 'X' } } }), file: exportCsv }), h.tokens.full);
    expect([invalid.status, invalid.body.type]).toEqual([422, 'https://w3id.org/microcred/problems#mapping-invalid']);
    expect(invalid.body.problems.length).toBeGreaterThan(0);
    const noFile = await post(h, base, upload({ mapping: mappingText }), h.tokens.full);
    expect([noFile.status, noFile.body.detail]).toEqual([400, expect.stringContaining('"file"')]);
    const badInput = await post(h, base, upload({ input: 'xlsx', file: exportCsv }), h.tokens.full);
    expect(badInput.body.parameter).toEqual({ in: 'body', name: 'input' });
    expect((await post(h, `${base}?dryRun=maybe`, upload({ mapping: mappingText, file: exportCsv }), h.tokens.full)).body.parameter).toEqual({ in: 'query', name: 'dryRun' });
    expect((await post(h, `${base}?format=xml`, upload({ mapping: mappingText, file: exportCsv }), h.tokens.full)).body.parameter).toEqual({ in: 'query', name: 'format' });
    const many = Array.from({ length: 21 }, (_, i) => JSON.stringify({ ...recordMinimal, recordId: `MANY-${i}` })).join('\n');
    const tooMany = await post(h, base, many, h.tokens.full, 'application/x-ndjson');
    expect([tooMany.status, tooMany.body.detail]).toEqual([413, expect.stringContaining('more than 20 records')]);
    const unreadable = await post(h, base, upload({ mapping: mappingText, file: Buffer.from([0x53, 0x54, 0xff, 0x0a]) }), h.tokens.full);
    expect([unreadable.status, unreadable.body.type]).toEqual([422, 'https://w3id.org/microcred/problems#input-invalid']);
    expect((await post(h, base, upload({ mapping: mappingText, file: exportCsv }), h.tokens.readOnly)).status).toBe(403);
    expect((await post(h, base, upload({ mapping: mappingText, file: exportCsv }), 'not-a-token')).status).toBe(401);
    // Nothing of a refused upload stays.
    const jobs = await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE issuer_slug = $1 AND state = 'receiving'", [h.slug]);
    expect(jobs.rows[0]?.n).toBe(0);
  });

  it('unknown jobs are 404 on every job route; cancelling a finished job changes nothing', async () => {
    for (const p of ['', '/results']) expect((await call(h, 'GET', `/issuers/${h.slug}/jobs/no-such-job${p}`, { token: h.tokens.full })).status).toBe(404);
    expect((await call(h, 'POST', `/issuers/${h.slug}/jobs/no-such-job/cancel`, { token: h.tokens.full })).status).toBe(404);
    expect((await call(h, 'GET', `/issuers/${h.slug}/jobs/x/results?type=xml`, { token: h.tokens.full })).body.parameter).toEqual({ in: 'query', name: 'type' });
    const list = await call(h, 'GET', `/issuers/${h.slug}/jobs`, { token: h.tokens.full });
    const finished = list.body.items[0] as { id: string };
    const cancel = await call(h, 'POST', `/issuers/${h.slug}/jobs/${finished.id}/cancel`, { token: h.tokens.full });
    expect([cancel.status, cancel.body.state]).toEqual([200, 'done']);
    expect((await call(h, 'GET', `/issuers/${h.slug}/jobs/${finished.id}`, { token: h.tokens.other })).status).toBe(403);
    expect((await call(h, 'POST', `/issuers/${h.slug}/jobs/${finished.id}/cancel`, { token: h.tokens.readOnly })).status).toBe(403);
    expect((await call(h, 'GET', `/issuers/${h.slug}/jobs?limit=0`, { token: h.tokens.full })).body.parameter).toEqual({ in: 'query', name: 'limit' });
    expect((await call(h, 'GET', `/issuers/${h.slug}/jobs/${finished.id}/results?follow=later`, { token: h.tokens.full })).body.parameter).toEqual({ in: 'query', name: 'follow' });
    expect((await call(h, 'GET', `/issuers/${h.slug}/jobs/${finished.id}`)).status).toBe(401);
  });
});

describe('a job on an instance without a worker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ jobWorker: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stays queued until cancelled; its rows are reported not-processed', async () => {
    const lines = [1, 2].map((i) => JSON.stringify({ ...recordMinimal, recordId: `Q-${i}` })).join('\n');
    const job = await post(h, `/issuers/${h.slug}/jobs`, lines, h.tokens.full, 'application/x-ndjson');
    expect(job.body.state).toBe('queued');
    const cancel = await call(h, 'POST', `/issuers/${h.slug}/jobs/${job.body.id}/cancel`, { token: h.tokens.full });
    expect([cancel.status, cancel.body.state]).toEqual([200, 'cancelled']);
    const report = await call(h, 'GET', `/issuers/${h.slug}/jobs/${job.body.id}/results`, { token: h.tokens.full });
    expect(report.text.trim().split('\n').map((l) => (JSON.parse(l) as { outcome: string }).outcome)).toEqual(['not-processed', 'not-processed']);
    const audit = await call(h, 'GET', `/issuers/${h.slug}/audit?target=${job.body.id}`, { token: h.tokens.admin });
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['job.cancel', 'job.submit']);
  });
});
