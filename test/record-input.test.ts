/**
 * Records that cannot become valid credentials, sent as users and attackers send them: to the service
 * (a 422 problem naming the field, nothing stored) and to the CLI (a readable message, exit 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli } from './support/cli.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';
import { openDb } from '../src/store/open.js';
import type { Db } from '../src/store/db.js';
import { call, record, startHarness, type Harness } from './http-helpers.js';

const base = JSON.stringify(record);
const CREDITS = '"credits":{"uk":20,"ects":10}';
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Raw JSON texts of bad records, each with the JSON path its problem must name. JSON escapes keep NUL and lone surrogates intact on the wire. */
const BAD: { name: string; json: (recordId: string) => string; path: string; expected?: RegExp }[] = [
  { name: '1e308 ECTS credits', json: (id) => withId(base.replace(CREDITS, '"credits":{"ects":1e308}'), id), path: '$.course.credits.ects', expected: /^at most 60 ECTS credits/ },
  { name: '1e309 UK credits (Infinity once parsed)', json: (id) => withId(base.replace(CREDITS, '"credits":{"uk":1e309}'), id), path: '$.course.credits.uk', expected: /^a finite number$/ },
  { name: 'a comment nested 5,000 deep', json: (id) => withId(base.replace('{"_note":', `{"_deep":${nested(5000)},"_note":`), id), path: '$._deep' + '.a'.repeat(32), expected: /levels deep/ },
  { name: 'NUL in recordId', json: (id) => withId(base, `${id}\\u0000x`), path: '$.recordId', expected: /^an identifier without control characters/ },
  { name: 'a lone surrogate in recordId', json: (id) => withId(base, `${id}\\ud800`), path: '$.recordId' },
  { name: 'a leading U+FEFF in recordId', json: (id) => withId(base, `\\ufeff${id}`), path: '$.recordId' },
  { name: 'NUL in learner.studentId', json: (id) => withId(base.replace('"studentId":"S2310457"', '"studentId":"S23\\u000010457"'), id), path: '$.learner.studentId' },
  { name: 'a lone surrogate in course.code', json: (id) => withId(base.replace('"code":"PHM7021"', '"code":"PHM\\udc007021"'), id), path: '$.course.code' },
  { name: 'NUL in a learning outcome', json: (id) => withId(base.replace('"text":"Clean, link', '"text":"\\u0000Clean, link'), id), path: '$.course.learningOutcomes[0].text' },
  { name: 'a 1 MiB title', json: (id) => withId(base.replace('"title":"Data Analytics for Public Health"', `"title":"${'x'.repeat(1 << 20)}"`), id), path: '$.course.title', expected: /^at most 300 characters$/ },
  {
    name: '20,000 learning outcomes',
    json: (id) => {
      const r = JSON.parse(withId(base, id));
      r.course.learningOutcomes = Array.from({ length: 20_000 }, () => ({ text: 'Apply basic controls.' }));
      return JSON.stringify(r);
    },
    path: '$.course.learningOutcomes',
    expected: /values/,
  },
];

function withId(json: string, recordId: string): string {
  return json.replace(`"recordId":"${String(record.recordId)}"`, `"recordId":"${recordId}"`);
}

const pgReason = await postgresUnavailable();
const backends: { name: string; open?: () => Promise<{ db: Db; drop: () => Promise<void> }> }[] = [
  { name: 'PGlite' },
  {
    name: pgReason ? `PostgreSQL (skipped: ${pgReason})` : 'PostgreSQL',
    open: async () => {
      const tmp = await createTestDatabase();
      const db = await openDb({ databaseUrl: tmp.url });
      return { db, drop: async () => (await db.close(), await tmp.drop()) };
    },
  },
];

for (const { name, open } of backends) {
  (name.includes('skipped') ? describe.skip : describe)(`POST /issuers/{slug}/credentials on ${name}: records that cannot become valid credentials`, () => {
    let h: Harness;
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const opened = open ? await open() : undefined;
      drop = opened?.drop;
      h = await startHarness({}, opened?.db);
    });
    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    it.each(BAD.map((b, i) => [b.name, b, i] as const))('%s: 422 naming the field, nothing stored', async (_name, bad, i) => {
      const recordId = `LIMITS-${i}`;
      const res = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, rawBody: bad.json(recordId) });
      expect(res.status, res.text.slice(0, 500)).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.type).toMatch(/#record-invalid$/);
      const problem = res.body.problems.find((p: { path: string }) => p.path === bad.path);
      expect(problem, JSON.stringify(res.body.problems).slice(0, 500)).toBeDefined();
      expect(Object.keys(problem).sort()).toEqual(['expected', 'found', 'message', 'path']);
      if (bad.expected) expect(problem.expected).toMatch(bad.expected);
      const listed = await call(h, 'GET', `/issuers/${h.slug}/credentials?recordId=${encodeURIComponent(recordId)}`, { token: h.tokens.readOnly });
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([]);
    });

    it('a batch gives each bad record its problems and still issues the good one', async () => {
      const good = withId(base, 'LIMITS-BATCH-OK');
      const lines = [BAD[3]!.json('LIMITS-BATCH-NUL'), BAD[2]!.json('LIMITS-BATCH-DEEP'), good].join('\n');
      const res = await call(h, 'POST', `/issuers/${h.slug}/credentials/batch`, { token: h.tokens.full, rawBody: lines, contentType: 'application/x-ndjson' });
      expect(res.status, res.text.slice(0, 500)).toBe(200);
      expect(res.body.summary).toMatchObject({ issued: 1, invalid: 2, error: 0 });
      expect(res.body.results[0].problems.map((p: { path: string }) => p.path)).toEqual(['$.recordId']);
      expect(res.body.results[1].problems[0].expected).toMatch(/levels deep/);
    });

    it('an issuer profile with NUL in its name is refused naming the field, and no issuer is created', async () => {
      const res = await call(h, 'POST', '/issuers', {
        token: 'deployment-admin-secret-token',
        rawBody: JSON.stringify({ slug: 'nul-profile', profile: { name: 'North\u0000bridge', url: 'https://n.example/', country: 'United Kingdom', countryCode: 'GB' } }),
      });
      expect(res.status, res.text).toBe(422);
      expect(res.body.problems.map((p: { path: string }) => p.path)).toEqual(['$.name']);
      expect((await call(h, 'GET', '/issuers/nul-profile/did.json')).status).toBe(404);
    });
  });
}

describe('CLI: validate and issue refuse such records with a readable message and exit 2', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'microcred-limits-'));
  });
  // The JSON texts are written as they are, so the CLI parses 1e309, NUL and the deep nesting itself.
  const cases = BAD.filter((b) => !b.name.startsWith('20,000') && !b.name.startsWith('a 1 MiB'));
  it.each(cases.map((b, i) => [b.name, b, i] as const))('%s', async (_name, bad, i) => {
    const file = path.join(dir, `bad-${i}.json`);
    writeFileSync(file, bad.json(`CLI-${i}`));
    const validated = await cli('validate', file);
    expect(validated.code, validated.stderr).toBe(2);
    expect(validated.stderr).toContain(`${file}: 1 problem(s):`);
    expect(validated.stderr).toContain(`  - ${bad.path}: expected `);
    const issued = await cli('issue', file);
    expect(issued.code, issued.stderr).toBe(2);
    expect(issued.stdout).toBe('');
    expect(issued.stderr).toMatch(/^microcred: The completion record has 1 problem:\n- \$/);
    expect(issued.stderr).toContain(`- ${bad.path}: expected `);
    expect(issued.stderr).not.toMatch(/Maximum call stack|TypeError/);
  });
});
