/**
 * Stacking in the service, over HTTP on 127.0.0.1: parent courses stored per issuer, POST /stacking/check (JSON with
 * credentials as objects, JWTs and baked images in base64; a multipart upload of files), the signed CLR 2.0
 * transcript (verified by the service's own verifier route), the wallet exchange driven by a holder that signs as
 * the Learner Credential Wallet does (Ed25519Signature2020 over a VC 2.0 presentation, @digitalbazaar/vc), with a
 * wrong holder, a wrong challenge and domain, and a replay; and the staff pages without a browser.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- no type declarations
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- no type declarations
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
// @ts-ignore -- no type declarations
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import { bake } from '../src/baking/bake.js';
import { issueCredential } from '../src/issue.js';
import { call, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';
import { stackingFixtures, topUpRules } from './stacking-fixtures.js';
import type { StackingFixtures } from './stacking-fixtures.js';
import { holderLoader } from './wallet-helpers.js';

const vc = vcLib as unknown as {
  createPresentation(o: Record<string, unknown>): Record<string, unknown>;
  signPresentation(o: Record<string, unknown>): Promise<Record<string, any>>;
};

/** A wallet as LCW holds one: an Ed25519VerificationKey2020 of a did:key (from a seed, so it can be the fixtures' learner). */
async function lcwWallet(seedByte: number) {
  const key = await Ed25519VerificationKey2020.generate({ seed: new Uint8Array(32).fill(seedByte) });
  const did = `did:key:${key.fingerprint()}`;
  key.controller = did;
  key.id = `${did}#${key.fingerprint()}`;
  return {
    did,
    // As LCW's composeVp: createPresentation({verifiableCredential, holder}) then signPresentation with Ed25519Signature2020.
    sign(credentials: unknown[], o: { challenge: string; domain: string; holder?: string }) {
      const presentation = vc.createPresentation({ verifiableCredential: credentials, holder: o.holder ?? did, version: 2.0 });
      return vc.signPresentation({ presentation, challenge: o.challenge, domain: o.domain, documentLoader: holderLoader, suite: new Ed25519Signature2020({ key }) });
    },
  };
}

/** A 1×1 PNG, to bake a credential into. */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return new Uint8Array(Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 0]))), chunk('IEND', Buffer.alloc(0))]));
}
const TINY_SVG = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');

let fx: StackingFixtures;
let h: Harness;
let learnerWallet: Awaited<ReturnType<typeof lcwWallet>>;
let strangerWallet: Awaited<ReturnType<typeof lcwWallet>>;
const CODE = 'BSC-COMP-TU';

beforeAll(async () => {
  fx = await stackingFixtures();
  h = await startHarness({ fetch: fx.fetch });
  [learnerWallet, strangerWallet] = await Promise.all([lcwWallet(42), lcwWallet(43)]);
  const put = await call(h, 'PUT', `/issuers/${h.slug}/parent-courses/${CODE}`, { token: h.tokens.full, body: topUpRules(fx) });
  expect(put.status, put.text).toBe(201);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const four = () => [fx.c.a1, fx.c.a2, fx.c.b1, fx.c.b2];

describe('parent courses stored per issuer', () => {
  it('the fixtures\' learner is the LCW wallet of the same seed', () => {
    expect(learnerWallet.did).toBe(fx.learner.did);
  });

  it('PUT needs the issue scope of that issuer; an identical PUT changes nothing, a change replaces the rules', async () => {
    const path = `/issuers/${h.slug}/parent-courses/MSC-DS`;
    const rules = { title: 'MSc Data Science', totalCredits: 180 };
    expect((await call(h, 'PUT', path, { body: rules })).status).toBe(401);
    expect((await call(h, 'PUT', path, { token: h.tokens.readOnly, body: rules })).status).toBe(403);
    expect((await call(h, 'PUT', path, { token: h.tokens.other, body: rules })).status).toBe(403);
    const first = await call(h, 'PUT', path, { token: h.tokens.full, body: rules });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ issuer: h.slug, code: 'MSC-DS', title: 'MSc Data Science', outcome: 'created', rules });
    const again = await call(h, 'PUT', path, { token: h.tokens.full, body: { totalCredits: 180, title: 'MSc Data Science' } });
    expect([again.status, again.body.outcome]).toEqual([200, 'unchanged']);
    const changed = await call(h, 'PUT', path, { token: h.tokens.full, body: { ...rules, totalCredits: 120 } });
    expect([changed.status, changed.body.outcome, changed.body.rules.totalCredits]).toEqual([200, 'changed', 120]);
    expect((await call(h, 'GET', path)).body.rules.totalCredits).toBe(120);
    const list = await call(h, 'GET', `/issuers/${h.slug}/parent-courses`);
    expect(list.body.parentCourses.map((c: { code: string }) => c.code)).toEqual([CODE, 'MSC-DS']);
    const audit = await h.db.query<{ action: string }>("SELECT action FROM audit_log WHERE target = 'MSC-DS' ORDER BY id");
    expect(audit.rows.map((r) => r.action)).toEqual(['parent-course.created', 'parent-course.changed']);
  });

  it('rules that do not validate: 422 with every problem and its JSON path, nothing stored', async () => {
    const path = `/issuers/${h.slug}/parent-courses/BAD-1`;
    const res = await call(h, 'PUT', path, { token: h.tokens.full, body: { title: 'Bad', totalCredits: -5, minimums: [{ minCredits: 10, level: { framework: 'FHEQ', atLeast: 9 } }] } });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toContain('rules-invalid');
    expect(res.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['$.minimums[0].level.atLeast', '$.totalCredits']);
    const mismatch = await call(h, 'PUT', path, { token: h.tokens.full, body: { title: 'X', totalCredits: 10, parent: { name: 'X', code: 'OTHER' } } });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.problems[0].path).toBe('$.parent.code');
    expect((await call(h, 'GET', path)).status).toBe(404);
    expect((await call(h, 'PUT', path, { token: h.tokens.full, rawBody: '{"title":' })).status).toBe(400);
  });

  it('the README\'s example rules are stored as they are', async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Stacking')))![1]!);
    const res = await call(h, 'PUT', `/issuers/${h.partner}/parent-courses/${example.parent.code}`, { token: h.tokens.other, body: example });
    expect([res.status, res.body.outcome], res.text).toEqual([201, 'created']);
    expect(res.body.rules).toEqual(example);
  });

  it('unknown issuer or course: 404', async () => {
    expect((await call(h, 'GET', `/issuers/nobody-here/parent-courses`)).status).toBe(404);
    expect((await call(h, 'GET', `/issuers/${h.slug}/parent-courses/NOPE`)).status).toBe(404);
    expect((await call(h, 'GET', `/issuers/${h.slug}/parent-courses/${encodeURIComponent('bad code!')}`)).status).toBe(404);
  });
});

describe('POST /stacking/check', () => {
  it('a "trustList" provider selector is answered by the trust lists the service is configured with', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'microcred-stack-trust-'));
    const list = path.join(dir, 'consortium.json');
    writeFileSync(list, JSON.stringify({ name: 'Northern Consortium', issuers: [{ id: fx.providers.b.keys.controller, name: 'University B' }] }));
    const rules = topUpRules(fx, { recognisedProviders: [{ domain: 'uni-a.example.ac.uk' }, { trustList: 'Northern Consortium' }] });
    const statuses = (body: { credentials: { status: string }[] }) => body.credentials.map((c) => c.status);
    // Without the list, the other provider's modules wait for review of prior learning.
    const unlisted = await call(h, 'POST', '/stacking/check', { body: { credentials: four(), rules } });
    expect(unlisted.status, unlisted.text).toBe(200);
    expect([unlisted.body.met, statuses(unlisted.body)]).toEqual([false, ['counted', 'counted', 'rpl-review', 'rpl-review']]);
    const listed = await startHarness({ fetch: fx.fetch, trustLists: [{ file: list }] });
    try {
      const res = await call(listed, 'POST', '/stacking/check', { body: { credentials: four(), rules } });
      expect(res.status, res.text).toBe(200);
      expect([res.body.met, statuses(res.body)]).toEqual([true, ['counted', 'counted', 'counted', 'counted']]);
    } finally {
      await listed.close();
    }
  });

  it('a stored parent course: met, with the report\'s plain sentences', async () => {
    const res = await call(h, 'POST', '/stacking/check', { body: { credentials: four(), parentCourse: { issuer: h.slug, code: CODE } } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.met).toBe(true);
    expect(res.body.sentences[0]).toBe('The credentials meet the rules of BSc (Hons) Computing (top-up).');
    expect(res.body.sentences).toContain('Met: at least 120 UK credits; 120 UK credits counted.');
    expect(res.body.totals).toMatchObject({ counted: 120, home: 60, external: 60 });
    // The credentials the caller sent are not echoed back.
    expect(res.body.credentials.every((c: Record<string, unknown>) => c.credential === undefined)).toBe(true);
  });

  it('rules in the request, not met: "needs 30 more credits"; a JWT and baked PNG/SVG badges in base64 and data: URLs count', async () => {
    const { proof: _p, ...unsigned } = fx.c.a2;
    const jwt = await issueCredential(unsigned, { format: 'jwt', keys: fx.providers.a.keys });
    const png = Buffer.from(bake(tinyPng(), fx.c.b1)).toString('base64');
    const svg = `data:image/svg+xml;base64,${Buffer.from(bake(TINY_SVG, fx.c.a1)).toString('base64')}`;
    const res = await call(h, 'POST', '/stacking/check', { body: { credentials: [jwt, png, svg], rules: topUpRules(fx) } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.met).toBe(false);
    expect(res.body.credentials.map((c: { status: string; format: string }) => [c.status, c.format])).toEqual([['counted', 'jwt'], ['counted', 'di'], ['counted', 'di']]);
    expect(res.body.sentences).toContain('Not met: at least 120 UK credits; 90 UK credits counted, so it needs 30 more credits.');
  });

  it('an image that carries no credential is listed as unreadable and counts for nothing', async () => {
    const res = await call(h, 'POST', '/stacking/check', { body: { credentials: [Buffer.from(tinyPng()).toString('base64'), fx.c.a1], rules: { title: 'Award', totalCredits: 30 } } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.met).toBe(true);
    expect(res.body.credentials[0].status).toBe('unreadable');
    expect(res.body.credentials[0].text).toMatch(/^An item of the set could not be read as a credential, so it counts for nothing: No credential could be extracted from the image: /);
  });

  it('a revoked module is listed with why and counts for nothing (status from the signed list, through the service verifier)', async () => {
    const res = await call(h, 'POST', '/stacking/check', { body: { credentials: [fx.c.a3Revoked], rules: { title: 'Award', totalCredits: 30 } } });
    expect(res.body.credentials[0].status).toBe('not-valid');
    expect(res.body.credentials[0].text).toMatch(/^Cloud Computing: not counted, because the credential is not valid: .*revoked/i);
  });

  it('bad input: problem+json naming the field', async () => {
    const cases: [unknown, number, string][] = [
      [{ credentials: [fx.c.a1, 42], rules: { title: 'A', totalCredits: 1 } }, 400, 'credentials[1]'],
      [{ credentials: [fx.c.a1, 'not a credential'], rules: { title: 'A', totalCredits: 1 } }, 400, 'credentials[1]'],
      [{ credentials: [fx.c.a1, '{"broken"'], rules: { title: 'A', totalCredits: 1 } }, 400, 'credentials[1]'],
      [{ credentials: 'x', rules: { title: 'A', totalCredits: 1 } }, 400, 'credentials'],
      [{ credentials: [], rules: { title: 'A', totalCredits: 1 } }, 400, 'credentials'],
      [{ credentials: [fx.c.a1] }, 400, 'rules'],
      [{ credentials: [fx.c.a1], rules: { title: 'A', totalCredits: 1 }, parentCourse: { issuer: h.slug, code: CODE } }, 400, 'parentCourse'],
      [{ credentials: [fx.c.a1], parentCourse: 'nothing' }, 400, 'parentCourse'],
      [{ credentials: [fx.c.a1], parentCourse: { issuer: h.slug, code: 'NOPE' } }, 404, 'parentCourse'],
      [{ credentials: [fx.c.a1], rules: { title: 'A', totalCredits: 1 }, learner: { name: 7 } }, 400, 'learner.name'],
      [{ presentation: 'nope', rules: { title: 'A', totalCredits: 1 } }, 400, 'presentation'],
    ];
    for (const [body, status, field] of cases) {
      const res = await call(h, 'POST', '/stacking/check', { body });
      expect([res.status, res.body?.parameter?.name], JSON.stringify(body).slice(0, 120)).toEqual([status, field]);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail).toContain(field.split('.')[0]);
    }
    const rules = await call(h, 'POST', '/stacking/check', { body: { credentials: [fx.c.a1], rules: { title: 'A', groups: [{ id: 'g', minCredits: 'ten' }] } } });
    expect(rules.status).toBe(422);
    expect(rules.body.problems.map((p: { path: string }) => p.path)).toEqual(['$.rules.groups[0].minCredits']);
    expect(rules.body.problems[0].message).toMatch(/^\$\.rules\.groups\[0\]\.minCredits: /);
    expect((await call(h, 'POST', '/stacking/check', { rawBody: '{"credentials": [', contentType: 'application/json' })).status).toBe(400);
    expect((await call(h, 'POST', '/stacking/check', { rawBody: 'hello', contentType: 'text/plain' })).status).toBe(415);
    expect((await call(h, 'POST', '/stacking/check', { rawBody: '[1]', contentType: 'application/json' })).status).toBe(400);
    expect((await call(h, 'POST', '/stacking/check', { rawBody: '--x\r\nbroken', contentType: 'multipart/form-data; boundary=x' })).status).toBe(400);
  });

  it('a multipart upload of files (JSON, JWT, baked PNG and SVG, the rules as a file)', async () => {
    const { proof: _p, ...unsigned } = fx.c.b2;
    const jwt = await issueCredential(unsigned, { format: 'jwt', keys: fx.providers.b.keys });
    const form = new FormData();
    form.append('credential', new Blob([JSON.stringify(fx.c.a1)], { type: 'application/json' }), 'a1.json');
    form.append('credential', new Blob([bake(tinyPng(), fx.c.a2)], { type: 'image/png' }), 'a2.png');
    form.append('credential', new Blob([bake(TINY_SVG, fx.c.b1)], { type: 'image/svg+xml' }), 'b1.svg');
    form.append('credential', new Blob([jwt], { type: 'text/plain' }), 'b2.jwt');
    form.append('rules', new Blob([JSON.stringify(topUpRules(fx))], { type: 'application/json' }), 'rules.json');
    const res = await fetch(`${h.url}/stacking/check`, { method: 'POST', body: form });
    const body = (await res.json()) as Record<string, any>;
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
    expect(body.met).toBe(true);
    expect(body.credentials.map((c: { status: string }) => c.status)).toEqual(['counted', 'counted', 'counted', 'counted']);
    const empty = new FormData();
    empty.append('credential', new Blob([''], { type: 'application/json' }), 'empty.json');
    empty.append('parentCourse', `${h.slug}/${CODE}`);
    const bad = await fetch(`${h.url}/stacking/check`, { method: 'POST', body: empty });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { parameter: { name: string } }).parameter.name).toBe('credential');
  });
});

describe('the signed CLR 2.0 transcript', () => {
  const path = () => `/issuers/${h.slug}/stacking/transcripts`;

  it('needs the issue scope of the issuer', async () => {
    const body = { credentials: four(), parentCourse: { issuer: h.slug, code: CODE } };
    expect((await call(h, 'POST', path(), { body })).status).toBe(401);
    expect((await call(h, 'POST', path(), { body, token: h.tokens.readOnly })).status).toBe(403);
  });

  it('a met set: a ClrCredential signed by the issuer that verifies, each nested credential too', async () => {
    const res = await call(h, 'POST', path(), { token: h.tokens.full, body: { credentials: four(), parentCourse: { issuer: h.slug, code: CODE } } });
    expect(res.status, res.text).toBe(201);
    const clr = res.body.verifiableCredential;
    expect(clr.type).toEqual(['VerifiableCredential', 'ClrCredential']);
    expect(clr.credentialSubject.verifiableCredential).toHaveLength(4);
    expect(clr.credentialSubject.association.every((a: { associationType: string }) => a.associationType === 'isPartOf')).toBe(true);
    expect(res.body.report.met).toBe(true);
    const issuer = (await call(h, 'GET', `/issuers/${h.slug}`)).body;
    expect(clr.issuer.id).toBe(issuer.did);
    const verified = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: clr } });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.verified, verified.text.slice(0, 600)).toBe(true);
    const audit = await h.db.query<{ target: string }>("SELECT target FROM audit_log WHERE action = 'stacking.transcript'");
    expect(audit.rows.map((r) => r.target)).toContain(clr.id);
  });

  it('a set that does not meet the rules: 422 with the report, nothing signed', async () => {
    const res = await call(h, 'POST', path(), { token: h.tokens.full, body: { credentials: [fx.c.a1], parentCourse: { issuer: h.slug, code: CODE } } });
    expect(res.status).toBe(422);
    expect(res.body.type).toContain('stacking-not-met');
    expect(res.body.report.met).toBe(false);
    expect(res.body.verifiableCredential).toBeUndefined();
  });
});

describe('receiving the set from a wallet (VC-API exchange, as LCW talks)', () => {
  async function start(): Promise<{ interaction: string; exchange: string; result: string; page: string }> {
    const res = await call(h, 'POST', '/stacking/exchanges', { body: { parentCourse: { issuer: h.slug, code: CODE } } });
    expect(res.status, res.text).toBe(201);
    return res.body.urls;
  }
  const rel = (url: string) => url.slice(h.url.length);
  async function request(urls: { exchange: string }) {
    const res = await call(h, 'POST', rel(urls.exchange), { body: {} });
    expect(res.status, res.text).toBe(200);
    return res.body.verifiablePresentationRequest as { challenge: string; domain: string; query: Record<string, any>[] };
  }

  it('interaction URL → exchange → QueryByExample + DIDAuthentication → the signed presentation is checked; a replay is refused', async () => {
    const urls = await start();
    expect(urls.interaction).toMatch(/\/stacking\/interactions\/[A-Za-z0-9_-]{43}\?iuv=1$/);
    const protocols = await call(h, 'GET', rel(urls.interaction));
    expect(protocols.body).toEqual({ protocols: { vcapi: urls.exchange } });
    const vpr = await request(urls);
    expect(vpr.domain).toBe(new URL(h.url).host);
    expect(vpr.query.map((q) => q.type)).toEqual(['QueryByExample', 'DIDAuthentication']);
    expect(vpr.query[0]!.credentialQuery.map((q: { example: { type: string } }) => q.example.type)).toEqual(['OpenBadgeCredential', 'AchievementCredential']);
    expect((await call(h, 'GET', rel(urls.result))).body.state).toBe('pending');
    const vp = await learnerWallet.sign(four(), vpr);
    const done = await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: vp } });
    expect([done.status, done.body], done.text).toEqual([200, {}]);
    const result = (await call(h, 'GET', rel(urls.result))).body;
    expect(result.state).toBe('done');
    expect(result.report.met).toBe(true);
    expect(result.report.learner).toMatchObject({ did: learnerWallet.did, source: 'presentation' });
    expect(result.report.presentation.verified).toBe(true);
    expect(result.report.notes.map((n: { message: { code: string } }) => n.message.code)).not.toContain('note.challengeNotChecked');
    const replay = await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: vp } });
    expect([replay.status, replay.body.type]).toEqual([409, expect.stringContaining('exchange-completed')]);
    expect((await call(h, 'POST', rel(urls.exchange), { body: {} })).status).toBe(409);
  });

  it('the issuer signs the transcript of the set a wallet sent (the exchange\'s result secret); not before the wallet answered', async () => {
    const urls = await start();
    const viewSecret = urls.result.split('/').pop()!;
    const path = `/issuers/${h.slug}/stacking/transcripts`;
    const early = await call(h, 'POST', path, { token: h.tokens.full, body: { exchange: viewSecret } });
    expect([early.status, early.body.type, early.body.parameter?.name]).toEqual([409, expect.stringContaining('exchange-pending'), 'exchange']);
    const vpr = await request(urls);
    expect((await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: await learnerWallet.sign(four(), vpr) } })).status).toBe(200);
    const signed = await call(h, 'POST', path, { token: h.tokens.full, body: { exchange: viewSecret } });
    expect(signed.status, signed.text).toBe(201);
    expect(signed.body.verifiableCredential.credentialSubject.id).toBe(learnerWallet.did);
    expect(signed.body.report.presentation.verified).toBe(true);
    const verified = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: signed.body.verifiableCredential } });
    expect(verified.body.verified, verified.text.slice(0, 400)).toBe(true);
    // The same set through /stacking/check, and what an exchange reference cannot be combined with.
    expect((await call(h, 'POST', '/stacking/check', { body: { exchange: viewSecret } })).body.met).toBe(true);
    const mixed = await call(h, 'POST', path, { token: h.tokens.full, body: { exchange: viewSecret, credentials: [fx.c.a1] } });
    expect([mixed.status, mixed.body.parameter?.name]).toEqual([400, 'credentials']);
    const bad = await call(h, 'POST', path, { token: h.tokens.full, body: { exchange: 'short' } });
    expect([bad.status, bad.body.parameter?.name]).toEqual([400, 'exchange']);
    const unknown = await call(h, 'POST', path, { token: h.tokens.full, body: { exchange: 'A'.repeat(43) } });
    expect([unknown.status, unknown.body.type]).toEqual([404, expect.stringContaining('exchange-not-found')]);
    // The wallet's secret is not the result's.
    const walletSecret = urls.exchange.split('/').pop()!;
    expect((await call(h, 'POST', path, { token: h.tokens.full, body: { exchange: walletSecret } })).status).toBe(404);
    // Neither secret, nor the learner's name, reaches the logs.
    const logs = h.logs.join('\n');
    expect(logs).toContain('/stacking/exchanges/:secret');
    for (const secret of [viewSecret, walletSecret, 'Aisha Rahman', vpr.challenge]) expect(logs).not.toContain(secret);
  });

  it('a presentation naming the learner as holder but signed by someone else is refused (holder-mismatch)', async () => {
    const urls = await start();
    const vpr = await request(urls);
    const vp = await strangerWallet.sign(four(), { ...vpr, holder: learnerWallet.did });
    const res = await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: vp } });
    expect([res.status, res.body.type]).toEqual([400, expect.stringContaining('holder-mismatch')]);
    expect((await call(h, 'GET', rel(urls.result))).body.state).toBe('pending');
  });

  it('another person presenting the learner\'s credentials: accepted as a presentation, nothing counts', async () => {
    const urls = await start();
    const vp = await strangerWallet.sign(four(), await request(urls));
    expect((await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: vp } })).status).toBe(200);
    const report = (await call(h, 'GET', rel(urls.result))).body.report;
    expect(report.met).toBe(false);
    expect(report.credentials.map((c: { status: string }) => c.status)).toEqual(['other-learner', 'other-learner', 'other-learner', 'other-learner']);
    expect(report.credentials[0].text).toContain(`not to the learner ${strangerWallet.did}`);
  });

  it('a wrong challenge, a challenge replaced by a newer request, a wrong domain; unknown exchanges', async () => {
    const urls = await start();
    const vpr = await request(urls);
    const wrongChallenge = await learnerWallet.sign(four(), { ...vpr, challenge: 'made-up' });
    expect((await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: wrongChallenge } })).body.type).toContain('challenge-unknown');
    const wrongDomain = await learnerWallet.sign(four(), { ...vpr, domain: 'evil.example' });
    expect((await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: wrongDomain } })).body.type).toContain('domain-mismatch');
    const old = await learnerWallet.sign(four(), vpr);
    await request(urls);
    const stale = await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: old } });
    expect([stale.status, stale.body.type]).toEqual([400, expect.stringContaining('challenge-unknown')]);
    expect((await call(h, 'POST', rel(urls.exchange), { body: { verifiablePresentation: { type: 'VerifiablePresentation' } } })).status).toBe(400);
    expect((await call(h, 'POST', '/stacking/exchanges/not-a-secret', { body: {} })).status).toBe(404);
    expect((await call(h, 'GET', '/stacking/interactions/not-a-secret')).status).toBe(404);
    expect((await call(h, 'GET', '/stacking/results/not-a-secret')).status).toBe(404);
    expect((await call(h, 'GET', rel(urls.exchange).replace('/exchanges/', '/results/'))).status).toBe(404);
  });

  it('starting: the rules or a stored parent course, exactly one', async () => {
    expect((await call(h, 'POST', '/stacking/exchanges', { body: {} })).status).toBe(400);
    expect((await call(h, 'POST', '/stacking/exchanges', { body: { rules: { title: 'x' } } })).status).toBe(422);
    expect((await call(h, 'POST', '/stacking/exchanges', { body: { parentCourse: { issuer: h.slug, code: 'NOPE' } } })).status).toBe(404);
    const inline = await call(h, 'POST', '/stacking/exchanges', { body: { rules: { title: 'Award', totalCredits: 30 } } });
    expect(inline.status).toBe(201);
    expect(inline.body.rules).toEqual({ title: 'Award' });
  });
});

describe('the staff pages (HTML)', () => {
  it('GET /stacking: the form with the stored parent courses, the pages\' CSP, English and Welsh', async () => {
    const res = await call(h, 'GET', '/stacking');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.text).toContain(`value="${h.slug}/${CODE}"`);
    expect(res.text).toContain('enctype="multipart/form-data"');
    const cy = await call(h, 'GET', '/stacking?lang=cy');
    expect(cy.text).toContain('<html lang="cy"');
    expect(cy.text).toContain('Gwirio tystlythyrau yn erbyn cwrs');
  });

  it('POST /stacking (upload): the report in plain sentences; a bad upload is an HTML error page naming the problem', async () => {
    const form = new FormData();
    for (const c of four()) form.append('credential', new Blob([JSON.stringify(c)], { type: 'application/json' }), 'c.json');
    form.append('parentCourse', `${h.slug}/${CODE}`);
    const res = await fetch(`${h.url}/stacking`, { method: 'POST', body: form });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('The credentials meet the rules of BSc (Hons) Computing (top-up).');
    expect(text).toContain('Information Security: counted, 30 UK credits.');
    const none = new FormData();
    none.append('credential', new Blob([JSON.stringify(fx.c.a1)]), 'a.json');
    const bad = await fetch(`${h.url}/stacking`, { method: 'POST', body: none });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('text/html');
    expect(await bad.text()).toContain('&quot;rules&quot; is missing');
  });

  it('POST /stacking/wallet → the request\'s page: QR code while waiting, the report once the wallet answered', async () => {
    const form = new FormData();
    form.append('parentCourse', `${h.slug}/${CODE}`);
    const res = await fetch(`${h.url}/stacking/wallet`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(303);
    const page = res.headers.get('location')!;
    expect(page).toMatch(/\/stacking\/wallet\/[A-Za-z0-9_-]{43}$/);
    const waiting = await (await fetch(page)).text();
    expect(waiting).toContain('src="data:image/svg+xml;base64,');
    const interaction = /id="interaction-link" readonly value="([^"]+)"/.exec(waiting)![1]!.replace(/&amp;/g, '&');
    const exchange = (await call(h, 'GET', rel2(interaction))).body.protocols.vcapi as string;
    const vpr = (await call(h, 'POST', rel2(exchange), { body: {} })).body.verifiablePresentationRequest;
    await call(h, 'POST', rel2(exchange), { body: { verifiablePresentation: await learnerWallet.sign(four(), vpr) } });
    const done = await (await fetch(page)).text();
    expect(done).toContain('The credentials meet the rules of BSc (Hons) Computing (top-up).');
    expect(done).not.toContain('data:image/svg+xml');
    expect((await fetch(`${h.url}/stacking/wallet/unknown-secret`)).status).toBe(404);
  });

  it('the page forms\' failure paths: no course and no rules, not a form, too large', async () => {
    const empty = await fetch(`${h.url}/stacking/wallet`, { method: 'POST', body: new FormData(), redirect: 'manual' });
    expect([empty.status, empty.headers.get('content-type')]).toEqual([400, expect.stringContaining('text/html')]);
    expect(await empty.text()).toContain('&quot;rules&quot; is missing');
    const json = await call(h, 'POST', '/stacking/wallet', { body: { parentCourse: `${h.slug}/${CODE}` } });
    expect([json.status, json.headers.get('content-type')]).toEqual([415, expect.stringContaining('text/html')]);
    const big = new FormData();
    big.append('credential', new Blob([new Uint8Array(11 * 1024 * 1024).fill(0x20)]), 'big.json');
    expect((await fetch(`${h.url}/stacking`, { method: 'POST', body: big })).status).toBe(413);
    const bigJson = await call(h, 'POST', '/stacking/check', { rawBody: `{"credentials": ["${'a'.repeat(11 * 1024 * 1024)}"]}` });
    expect([bigJson.status, bigJson.headers.get('content-type')]).toEqual([413, expect.stringContaining('application/problem+json')]);
    // The rest of an upload over the limit is not read: the answer closes the connection (the server can still stop).
    expect(bigJson.headers.get('connection')).toBe('close');
  });
});

const rel2 = (url: string) => new URL(url).pathname + new URL(url).search;
