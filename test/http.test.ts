import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../src/verify/verify.js';
import { MicrocredError } from '../src/errors.js';
import { call, record, recordMinimal, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';
import { createTestDatabase, postgresUnavailable } from './support/testing.js';
import { openDb } from '../src/store/open.js';
import type { Db } from '../src/store/db.js';

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
  (name.includes('skipped') ? describe.skip : describe)(`HTTP service on ${name}`, () => {
  let h: Harness;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const opened = open ? await open() : undefined;
    drop = opened?.drop;
    h = await startHarness({ bodyLimit: '256kb' }, opened?.db);
  });
  afterAll(async () => {
    await h?.close();
    await drop?.();
  });

  const uniqueRecord = (base: Record<string, unknown>, suffix: string) => ({ ...structuredClone(base), recordId: `${String(base.recordId)}-${suffix}` });

  describe('issue -> verify -> revoke -> verify fails', () => {
    it('issues a Data Integrity credential that verifies over HTTP, then fails the status check once revoked', async () => {
      const rec = uniqueRecord(record, 'flow-di');
      const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: rec });
      expect(issued.status, issued.text).toBe(201);
      expect(issued.body).toMatchObject({ outcome: 'issued', recordId: rec.recordId, format: 'di', status: 'active' });
      expect(issued.headers.get('location')).toContain(encodeURIComponent(issued.body.id));
      const vc = issued.body.credential;
      expect(vc.issuer.id.toLowerCase()).toBe(`did:web:${new URL(h.url).host.replace(':', '%3a')}:issuers:${h.slug}`);
      expect(vc.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
      expect(Array.isArray(vc.proof)).toBe(true);

      // An independent verifier resolving the did:web and the status list over real HTTP.
      const before = await verify(vc, { fetch: h.fetchViaHttp, statusListCacheMs: 0 });
      expect(before.checks.filter((c) => c.status === 'fail' || c.status === 'unknown')).toEqual([]);
      expect(before.verified).toBe(true);
      const apiBefore = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: vc } });
      expect(apiBefore.status, apiBefore.text).toBe(200);
      expect(apiBefore.body.verified).toBe(true);

      const revoked = await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(vc.id)}/revoke`, { token: h.tokens.full, body: { reason: 'academic misconduct' } });
      expect(revoked.status, revoked.text).toBe(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', reason: 'academic misconduct' });

      const after = await verify(vc, { fetch: h.fetchViaHttp, statusListCacheMs: 0 });
      expect(after.verified).toBe(false);
      const status = after.checks.find((c) => c.id === 'status');
      expect(status?.status).toBe('fail');
      expect(status?.message).toMatch(/revoked/i);
      const apiAfter = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: vc } });
      expect(apiAfter.status).toBe(422);
      expect(apiAfter.body.verified).toBe(false);
      expect(apiAfter.body.checks.find((c: { id: string }) => c.id === 'status').status).toBe('fail');

      const audit = await call(h, 'GET', `/issuers/${h.slug}/audit?target=${encodeURIComponent(vc.id)}`, { token: h.tokens.admin });
      expect(audit.status).toBe(200);
      expect(audit.body.items[0]).toMatchObject({ action: 'credential.revoke', reason: 'academic misconduct', actor: expect.stringMatching(/^api-key:ak_/) });
    });

    it('issues a VC-JWT that verifies, and gives status "unknown" when the list cannot be fetched', async () => {
      const rec = uniqueRecord(record, 'flow-jwt');
      const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials?format=jwt`, { token: h.tokens.full, body: rec });
      expect(issued.status, issued.text).toBe(201);
      expect(typeof issued.body.credential).toBe('string');
      expect(issued.body.credential.split('.')).toHaveLength(3);
      const ok = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued.body.credential } });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.format).toBe('jwt');
      const unreachable = await verify(issued.body.credential, {
        fetch: async (url, req) => {
          if (url.includes('/status-lists/')) throw new MicrocredError('FETCH_FAILED', `Could not fetch ${url}: connection refused.`);
          return h.fetchViaHttp(url, req);
        },
      });
      expect(unreachable.verified).toBe(false);
      expect(unreachable.checks.find((c) => c.id === 'status')?.status).toBe('unknown');
    });
  });

  describe('idempotency and re-issue', () => {
    it('returns the stored credential for the same record, 409 for a changed one, and re-issues on request', async () => {
      const rec = uniqueRecord(record, 'idem');
      const first = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: rec });
      expect(first.status).toBe(201);
      // Same content, different key order: same record.
      const reordered = Object.fromEntries(Object.entries(rec).reverse());
      const again = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: reordered });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ outcome: 'existing', id: first.body.id });
      expect(again.body.credential).toEqual(first.body.credential);

      const changed = structuredClone(rec) as unknown as { result: { grade?: unknown; mark?: number } } & Record<string, unknown>;
      changed.result.mark = 55;
      const conflict = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: changed });
      expect(conflict.status).toBe(409);
      expect(conflict.headers.get('content-type')).toContain('application/problem+json');
      expect(conflict.body.detail).toContain(rec.recordId as string);
      expect(conflict.body.existing).toEqual([first.body.id]);

      const reissued = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { record: changed, options: { reissue: true } } });
      expect(reissued.status, reissued.text).toBe(201);
      expect(reissued.body.id).not.toBe(first.body.id);
      expect(reissued.body.superseded).toEqual([first.body.id]);
      expect(reissued.body.awardedDate).toBe(first.body.awardedDate);
      expect(reissued.body.credential.awardedDate).toBe(first.body.credential.awardedDate);
      const old = await call(h, 'GET', `/issuers/${h.slug}/credentials/${encodeURIComponent(first.body.id)}`, { token: h.tokens.readOnly });
      expect(old.body).toMatchObject({ status: 'revoked', supersededBy: reissued.body.id });
      const oldReport = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: first.body.credential } });
      expect(oldReport.status).toBe(422);
      // The replacement is now the idempotent answer.
      const retry = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: changed });
      expect(retry.body).toMatchObject({ outcome: 'existing', id: reissued.body.id });
    });

    it('handles concurrent submissions of one record: one credential, the others get it back', async () => {
      const rec = uniqueRecord(recordMinimal, 'race');
      const answers = await Promise.all(Array.from({ length: 4 }, () => call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: rec })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    });
  });

  describe('concurrent re-issues', () => {
    it('of one record with different content end with one current credential, the overlapping losers answering 409', async () => {
      const rec = uniqueRecord(recordMinimal, 'reissue-race') as Record<string, unknown> & { result: Record<string, unknown> };
      const first = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: rec });
      expect(first.status).toBe(201);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call(h, 'POST', `/issuers/${h.slug}/credentials?reissue=true`, { token: h.tokens.full, body: { ...rec, result: { ...rec.result, mark: 50 + i } } })),
      );
      expect(answers.map((a) => a.status).filter((s) => s !== 201 && s !== 409)).toEqual([]);
      const current = (await call(h, 'GET', `/issuers/${h.slug}/credentials?recordId=${encodeURIComponent(String(rec.recordId))}&status=active`, { token: h.tokens.readOnly })).body.items;
      expect(current).toHaveLength(1);
      const winners = answers.filter((a) => a.status === 201);
      // Each winner replaced exactly the credential that was current before it.
      const replaced = winners.map((w) => w.body.superseded[0]).sort();
      expect(replaced).toEqual([first.body.id, ...winners.map((w) => w.body.id)].filter((id) => id !== current[0].id).sort());
      for (const lost of answers.filter((a) => a.status === 409)) expect(lost.body.existing.length).toBe(1);
    });
  });

  describe('batch', () => {
    it('issues the good records of a JSON array and reports each bad one with its problems', async () => {
      const good = uniqueRecord(recordMinimal, 'batch-1');
      const bad = { ...uniqueRecord(recordMinimal, 'batch-2'), learner: {}, result: { completionDate: 'yesterday' } };
      const res = await call(h, 'POST', `/issuers/${h.slug}/credentials/batch`, { token: h.tokens.full, body: [good, bad, good] });
      expect(res.status, res.text).toBe(200);
      expect(res.body.summary).toMatchObject({ issued: 1, 'already-issued': 1, invalid: 1 });
      const [r0, r1, r2] = res.body.results;
      expect(r1).toMatchObject({ index: 1, outcome: 'invalid' });
      const paths = r1.problems.map((p: { path: string }) => p.path);
      expect(paths).toEqual(expect.arrayContaining(['$.learner.fullName', '$.result.completionDate']));
      // Records may be processed in parallel: whichever copy came first was issued, the other got it back.
      expect([r0.outcome, r2.outcome].sort()).toEqual(['already-issued', 'issued']);
      expect(r0).toMatchObject({ index: 0, recordId: good.recordId, id: r2.id });
    });

    it('accepts JSON Lines, with a malformed line reported on its own', async () => {
      const a = uniqueRecord(recordMinimal, 'jsonl-1');
      const b = uniqueRecord(recordMinimal, 'jsonl-2');
      const body = `${JSON.stringify(a)}\n{not json\n${JSON.stringify(b)}\n`;
      const res = await call(h, 'POST', `/issuers/${h.slug}/credentials/batch?format=jwt`, { token: h.tokens.full, rawBody: body, contentType: 'application/x-ndjson' });
      expect(res.status, res.text).toBe(200);
      expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['issued', 'invalid', 'issued']);
      expect(typeof res.body.results[0].credential).toBe('string');
    });
  });

  describe('access control', () => {
    const path = () => `/issuers/${h.slug}/credentials`;
    it('401 without or with an unknown token, with a Bearer challenge', async () => {
      for (const token of [undefined, 'mcred_not-a-real-token']) {
        const res = await call(h, 'POST', path(), { ...(token ? { token } : {}), body: recordMinimal });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(res.body.type).toMatch(/#unauthorized$/);
      }
    });
    it('403 for a token without the scope or of another issuer', async () => {
      const noScope = await call(h, 'POST', path(), { token: h.tokens.readOnly, body: recordMinimal });
      expect(noScope.status).toBe(403);
      expect(noScope.body.detail).toContain('"issue" scope');
      const otherIssuer = await call(h, 'GET', path(), { token: h.tokens.other });
      expect(otherIssuer.status).toBe(403);
      expect(otherIssuer.body.detail).toContain(h.partner);
      const revokeWithRead = await call(h, 'POST', `${path()}/urn:uuid:00000000-0000-4000-8000-000000000000/revoke`, { token: h.tokens.readOnly, body: { reason: 'x' } });
      expect(revokeWithRead.status).toBe(403);
    });
  });

  describe('problem details', () => {
    it('422 lists every record problem at once', async () => {
      const res = await call(h, 'POST', `/issuers/${h.slug}/credentials`, {
        token: h.tokens.full,
        body: { recordId: 'bad-1', learner: {}, course: { code: 'X' }, result: {} },
      });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: expect.stringMatching(/#record-invalid$/), title: 'Invalid completion record', status: 422 });
      expect(res.body.problems.length).toBeGreaterThan(3);
      for (const p of res.body.problems) expect(Object.keys(p)).toEqual(expect.arrayContaining(['path', 'expected', 'found', 'message']));
    });
    it('400 for malformed JSON, 404 for unknown routes and issuers, all problem+json', async () => {
      const malformed = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, rawBody: '{"recordId": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.type).toMatch(/#malformed-json$/);
      const route = await call(h, 'GET', '/no/such/thing');
      expect(route.status).toBe(404);
      expect(route.body).toMatchObject({ status: 404, detail: 'No resource at GET /no/such/thing.' });
      const issuer = await call(h, 'GET', '/issuers/nobody/did.json');
      expect(issuer.status).toBe(404);
      expect(issuer.body.detail).toContain('nobody');
      for (const r of [malformed, route, issuer]) expect(r.headers.get('content-type')).toContain('application/problem+json');
    });
    it('415 for a body that is not JSON, 413 for a body over the limit, 400 for broken escapes and encodings', async () => {
      const issuePath = `/issuers/${h.slug}/credentials`;
      const wrongType = await call(h, 'POST', issuePath, { token: h.tokens.full, rawBody: JSON.stringify(recordMinimal), contentType: 'text/plain' });
      expect(wrongType.status).toBe(415);
      expect(wrongType.body).toMatchObject({ type: expect.stringMatching(/#unsupported-media-type$/), status: 415 });
      expect(wrongType.body.detail).toContain('text/plain');
      const formBody = await call(h, 'POST', '/credentials/verify', { rawBody: 'a=1', contentType: 'application/x-www-form-urlencoded' });
      expect(formBody.status).toBe(415);
      const big = await call(h, 'POST', issuePath, { token: h.tokens.full, body: { ...recordMinimal, padding: 'x'.repeat(300 * 1024) } });
      expect(big.status).toBe(413);
      expect(big.body).toMatchObject({ type: expect.stringMatching(/#payload-too-large$/), status: 413 });
      expect(big.body.detail).toContain('256kb');
      const bigLines = await call(h, 'POST', `${issuePath}/batch`, { token: h.tokens.full, rawBody: `${JSON.stringify(recordMinimal)}\n`.repeat(400), contentType: 'application/x-ndjson' });
      expect(bigLines.status).toBe(413);
      const badEscape = await call(h, 'GET', `/issuers/${h.slug}/credentials/%E0%A4%A`, { token: h.tokens.readOnly });
      expect(badEscape.status).toBe(400);
      expect(badEscape.body.detail).toContain('%E0%A4%A');
      const notBrotli = await call(h, 'POST', '/credentials/verify', { rawBody: '{}', headers: { 'content-encoding': 'br' } });
      expect(notBrotli.status).toBe(400);
      for (const r of [wrongType, formBody, big, bigLines, badEscape, notBrotli]) expect(r.headers.get('content-type')).toContain('application/problem+json');
      // Nothing of these requests was stored.
      const listed = await call(h, 'GET', `${issuePath}?recordId=${encodeURIComponent(String(recordMinimal.recordId))}`, { token: h.tokens.readOnly });
      expect(listed.body.items).toEqual([]);
    });
  });

  describe('parameters', () => {
    const forged = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    it('every path, query and body parameter with NUL, an unpaired surrogate, an impossible date or a bad number is a 4xx problem naming it', async () => {
      const list = `/issuers/${h.slug}/credentials`;
      const cred = `${list}/${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000000')}`;
      const cases: { method?: string; path: string; token?: string; body?: unknown; name: string; status?: number }[] = [
        { path: `${list}?learner=a%00b`, token: h.tokens.readOnly, name: 'learner' },
        { path: `${list}?learner=%FF`, token: h.tokens.readOnly, name: 'learner' },
        { path: `${list}?recordId=%00`, token: h.tokens.readOnly, name: 'recordId' },
        { path: `${list}?status=%00`, token: h.tokens.readOnly, name: 'status' },
        { path: `${list}?from=2026-02-30`, token: h.tokens.readOnly, name: 'from' },
        { path: `${list}?to=2026-13-01`, token: h.tokens.readOnly, name: 'to' },
        { path: `${list}?from=2026-01-01T24:00:00Z`, token: h.tokens.readOnly, name: 'from' },
        { path: `${list}?from=2026-01-01%00`, token: h.tokens.readOnly, name: 'from' },
        { path: `${list}?cursor=${forged(['2026-02-30T10:00:00.000Z', 'urn:x'])}`, token: h.tokens.readOnly, name: 'cursor' },
        { path: `${list}?cursor=${forged(['2026-01-01T10:00:00.000Z', 'urn:\u0000'])}`, token: h.tokens.readOnly, name: 'cursor' },
        { path: `${list}?limit=-5`, token: h.tokens.readOnly, name: 'limit' },
        { path: `${list}?limit=0`, token: h.tokens.readOnly, name: 'limit' },
        { path: `${list}?limit=501`, token: h.tokens.readOnly, name: 'limit' },
        { path: `${list}?limit=1e2`, token: h.tokens.readOnly, name: 'limit' },
        { path: `/issuers/${h.slug}/audit?limit=-5`, token: h.tokens.admin, name: 'limit' },
        { path: `/issuers/${h.slug}/audit?limit=1001`, token: h.tokens.admin, name: 'limit' },
        { path: `/issuers/${h.slug}/audit?target=%00`, token: h.tokens.admin, name: 'target' },
        { path: `/issuers/${h.slug}/audit?cursor=${forged(['2026-02-30T00:00:00.000000Z', '5'])}`, token: h.tokens.admin, name: 'cursor' },
        { path: '/issuers/a%00', name: 'slug' },
        { path: '/issuers/a%00/did.json', name: 'slug' },
        { path: '/issuers/a%00/jwks.json', name: 'slug' },
        { path: '/issuers/a%00/status-lists/revocation/1', name: 'slug' },
        { path: `${list}/urn%00x`, token: h.tokens.readOnly, name: 'id' },
        { method: 'POST', path: `${list}/urn%00x/revoke`, token: h.tokens.full, body: { reason: 'r' }, name: 'id' },
        { method: 'POST', path: `${cred}/revoke`, token: h.tokens.full, body: { reason: 'a\u0000b' }, name: 'reason' },
        { method: 'POST', path: `${cred}/suspend`, token: h.tokens.full, body: { reason: '\ud800' }, name: 'reason' },
        { method: 'DELETE', path: `/issuers/${h.slug}/api-keys/ak%00`, token: h.tokens.admin, name: 'keyId' },
        { method: 'POST', path: `/issuers/${h.slug}/api-keys`, token: h.tokens.admin, body: { scopes: ['read'], label: 'x\udc00' }, name: 'label' },
        { method: 'POST', path: `${list}?format=%00`, token: h.tokens.full, body: recordMinimal, name: 'format' },
        { method: 'POST', path: `${list}?reissue=maybe`, token: h.tokens.full, body: recordMinimal, name: 'reissue' },
        { method: 'POST', path: `${list}?alg=%00`, token: h.tokens.full, body: recordMinimal, name: 'alg' },
        { method: 'POST', path: '/credentials/status', token: h.tokens.full, body: { credentialId: 'urn:\u0000', credentialStatus: { statusPurpose: 'revocation' }, status: true }, name: 'credentialId' },
        { method: 'POST', path: '/credentials/issue', token: h.tokens.full, body: { credential: { id: 'urn:\u0000' }, options: {} }, name: 'credential.id' },
        { method: 'POST', path: '/credentials/issue', token: h.tokens.full, body: { credential: {}, options: { credentialId: 'urn:x\ud800' } }, name: 'options.credentialId' },
      ];
      const wrong: string[] = [];
      for (const c of cases) {
        const res = await call(h, c.method ?? 'GET', c.path, { ...(c.token ? { token: c.token } : {}), ...(c.body !== undefined ? { rawBody: JSON.stringify(c.body) } : {}) });
        const ok = res.status >= 400 && res.status < 500 && (res.headers.get('content-type') ?? '').includes('application/problem+json') && String(res.body?.detail).includes(`"${c.name}"`);
        if (!ok) wrong.push(`${c.method ?? 'GET'} ${c.path}: ${res.status} ${res.text.slice(0, 200)}`);
      }
      expect(wrong).toEqual([]);
      // A verifier given a credential whose id no stored credential can have answers with a report, not a 500.
      const verify = await call(h, 'POST', '/credentials/verify', { rawBody: JSON.stringify({ verifiableCredential: { ...record, id: 'urn:\u0000' } }) });
      expect(verify.status).toBeLessThan(500);
    });

    it('pages the audit log newest first with limit, cursor and next', async () => {
      const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: uniqueRecord(recordMinimal, 'audit-pages') });
      const id = encodeURIComponent(issued.body.id);
      for (let i = 0; i < 3; i++) {
        await call(h, 'POST', `/issuers/${h.slug}/credentials/${id}/suspend`, { token: h.tokens.full, body: { reason: `s${i}` } });
        await call(h, 'POST', `/issuers/${h.slug}/credentials/${id}/unsuspend`, { token: h.tokens.full });
      }
      const whole = await call(h, 'GET', `/issuers/${h.slug}/audit?target=${id}`, { token: h.tokens.admin });
      expect(whole.body.items.map((e: { action: string }) => e.action)).toEqual([...Array(3).fill(['credential.unsuspend', 'credential.suspend']).flat(), 'credential.issue']);
      expect(whole.body.next).toBeUndefined();
      const paged: unknown[] = [];
      let next: string | undefined = `/issuers/${h.slug}/audit?target=${id}&limit=3`;
      while (next) {
        const page = await call(h, 'GET', next, { token: h.tokens.admin });
        expect(page.status, page.text).toBe(200);
        paged.push(...page.body.items);
        next = page.body.next ? new URL(page.body.next).pathname + new URL(page.body.next).search : undefined;
        if (next) expect(next).toContain('limit=3');
      }
      expect(paged).toEqual(whole.body.items);
    });
  });

  describe('suspension and published status lists', () => {
    it('suspends and unsuspends; the suspension list flips; ETag and 304', async () => {
      const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: uniqueRecord(recordMinimal, 'suspend') });
      const { id, suspensionStatus } = issued.body;
      const listPath = new URL(suspensionStatus.statusListCredential).pathname;
      const list1 = await call(h, 'GET', listPath);
      expect(list1.status).toBe(200);
      expect(list1.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const etag = list1.headers.get('etag');
      expect(etag).toBeTruthy();
      expect(list1.body).toMatchObject({ type: ['VerifiableCredential', 'BitstringStatusListCredential'], credentialSubject: { statusPurpose: 'suspension' } });
      expect(list1.body.credentialSubject.encodedList.startsWith('u')).toBe(true);
      const notModified = await call(h, 'GET', listPath, { headers: { 'if-none-match': etag as string } });
      expect(notModified.status).toBe(304);

      const suspended = await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/suspend`, { token: h.tokens.full, body: { reason: 'under investigation' } });
      expect(suspended.body.status).toBe('suspended');
      const list2 = await call(h, 'GET', listPath, { headers: { 'if-none-match': etag as string } });
      expect(list2.status).toBe(200);
      expect(list2.headers.get('etag')).not.toBe(etag);
      const { decodeStatusList, getBit } = await import('../src/status/bitstring.js');
      expect(getBit(await decodeStatusList(list2.body.credentialSubject.encodedList), Number(suspensionStatus.statusListIndex))).toBe(true);
      const report = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued.body.credential } });
      expect(report.status).toBe(422);
      expect(report.body.checks.find((c: { id: string }) => c.id === 'status').message).toMatch(/suspended/);

      const back = await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/unsuspend`, { token: h.tokens.full });
      expect(back.body.status).toBe('active');
      expect((await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued.body.credential } })).status).toBe(200);
      // Revocation is final.
      await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/revoke`, { token: h.tokens.full, body: { reason: 'r' } });
      const again = await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/unsuspend`, { token: h.tokens.full });
      expect(again.status).toBe(409);
      const noReason = await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(id)}/revoke`, { token: h.tokens.full, body: {} });
      expect(noReason.status).toBe(400);

      // Who, when and why of every change, newest first; refused changes left no entry.
      const audit = await call(h, 'GET', `/issuers/${h.slug}/audit?target=${encodeURIComponent(id)}`, { token: h.tokens.admin });
      expect(audit.status).toBe(200);
      expect(audit.body.items.map((e: { action: string; reason?: string }) => [e.action, e.reason])).toEqual([
        ['credential.revoke', 'r'],
        ['credential.unsuspend', undefined],
        ['credential.suspend', 'under investigation'],
        ['credential.issue', undefined],
      ]);
      for (const e of audit.body.items) {
        expect(e.actor).toMatch(/^api-key:ak_[0-9a-f]+$/);
        expect(Math.abs(Date.parse(e.at) - Date.now())).toBeLessThan(120_000);
      }
    });
  });

  describe('reading', () => {
    it('lists by learner and record id, paged', async () => {
      const learner = { fullName: 'Paging Learner', studentId: `P-${Date.now()}` };
      for (let i = 0; i < 3; i++) {
        const r = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...uniqueRecord(recordMinimal, `page-${i}`), learner } });
        expect(r.status).toBe(201);
      }
      const page1 = await call(h, 'GET', `/issuers/${h.slug}/credentials?learner=${learner.studentId}&limit=2`, { token: h.tokens.readOnly });
      expect(page1.status).toBe(200);
      expect(page1.body.items).toHaveLength(2);
      expect(page1.body.next).toBeTruthy();
      const page2 = await call(h, 'GET', new URL(page1.body.next).pathname + new URL(page1.body.next).search, { token: h.tokens.readOnly });
      expect(page2.body.items).toHaveLength(1);
      expect(page2.body.next).toBeUndefined();
      const ids = [...page1.body.items, ...page2.body.items].map((c: { recordId: string }) => c.recordId);
      expect(new Set(ids).size).toBe(3);
      const byRecord = await call(h, 'GET', `/issuers/${h.slug}/credentials?recordId=${encodeURIComponent(`${String(recordMinimal.recordId)}-page-1`)}`, { token: h.tokens.readOnly });
      expect(byRecord.body.items.map((c: { recordId: string }) => c.recordId)).toEqual([`${String(recordMinimal.recordId)}-page-1`]);
      // By date: from is inclusive, to exclusive (created_at).
      const all = [...page1.body.items, ...page2.body.items] as { recordId: string; createdAt: string }[];
      const second = all[1] as { createdAt: string };
      const fromSecond = await call(h, 'GET', `/issuers/${h.slug}/credentials?learner=${learner.studentId}&from=${encodeURIComponent(second.createdAt)}`, { token: h.tokens.readOnly });
      expect(fromSecond.body.items.map((c: { recordId: string }) => c.recordId)).toEqual(all.slice(1).map((c) => c.recordId));
      const toSecond = await call(h, 'GET', `/issuers/${h.slug}/credentials?learner=${learner.studentId}&to=${encodeURIComponent(second.createdAt)}`, { token: h.tokens.readOnly });
      expect(toSecond.body.items.map((c: { recordId: string }) => c.recordId)).toEqual([all[0]?.recordId]);
      const future = await call(h, 'GET', `/issuers/${h.slug}/credentials?learner=${learner.studentId}&from=2999-01-01`, { token: h.tokens.readOnly });
      expect(future.body.items).toEqual([]);
      const badDate = await call(h, 'GET', `/issuers/${h.slug}/credentials?from=last-week`, { token: h.tokens.readOnly });
      expect(badDate.status).toBe(400);
      expect(badDate.body.detail).toContain('from');
    });
  });
  });
}
