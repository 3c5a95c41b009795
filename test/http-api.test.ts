import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-ignore -- untyped package
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
// @ts-ignore -- untyped package
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { generateKeySet } from '../src/keyset/keyset.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { buildCredential } from '../src/credential/annex1.js';
import { assertRecord } from '../src/record/validate.js';
import { verify } from '../src/verify/verify.js';
import { call, profile, record, recordMinimal, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('OpenAPI', () => {
  it('documents exactly the routes express serves', async () => {
    const res = await call(h, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries(res.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${p}`);
    }
    const served = new Set<string>();
    const router = (h.srv.app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
    for (const layer of router.stack) {
      if (!layer.route) continue;
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') served.add(`${method.toUpperCase()} ${layer.route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
      }
    }
    expect(served.size).toBeGreaterThan(20);
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
  });
});

describe('operations', () => {
  it('answers /healthz and /readyz, echoes request ids and exposes Prometheus metrics', async () => {
    expect((await call(h, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await call(h, 'GET', '/readyz', { headers: { 'x-request-id': 'probe-123' } });
    expect(ready.body).toMatchObject({ status: 'ready', database: 'pglite' });
    expect(ready.headers.get('x-request-id')).toBe('probe-123');
    await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...recordMinimal, recordId: 'metrics-1' } });
    const metrics = await call(h, 'GET', '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toMatch(new RegExp(`microcred_credentials_issued_total\\{format="di",issuer="${h.slug}"\\} [1-9]`));
    expect(metrics.text).toMatch(/microcred_http_request_duration_seconds_bucket\{method="POST",route="\/issuers\/:slug\/credentials",status="201",le="\+Inf"\} [1-9]/);
    expect(metrics.text).toContain('# TYPE microcred_http_errors_total counter');
    const vc = (await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...recordMinimal, recordId: 'metrics-2' } })).body.credential;
    await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: vc } });
    await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: { ...vc, name: 'tampered' } } });
    await call(h, 'GET', '/no/such/route');
    const text = (await call(h, 'GET', '/metrics')).text;
    const families = parsePrometheus(text);
    expect(families.get('microcred_verifications_total')?.samples).toEqual(
      expect.arrayContaining([
        { name: 'microcred_verifications_total', labels: { kind: 'credential', result: 'valid' }, value: 1 },
        { name: 'microcred_verifications_total', labels: { kind: 'credential', result: 'invalid' }, value: 1 },
      ]),
    );
    const errors = families.get('microcred_http_errors_total')?.samples ?? [];
    expect(errors.find((e) => e.labels.status === '404')?.value).toBeGreaterThanOrEqual(1);
    expect(errors.find((e) => e.labels.type === 'verification-failed')?.value).toBe(1);
    expect(families.get('microcred_http_request_duration_seconds')?.type).toBe('histogram');
    expect(families.get('microcred_signing_duration_seconds')?.samples.some((x) => x.name.endsWith('_count') && x.value >= 2)).toBe(true);
  });
});

describe('publishing', () => {
  it('publishes DID document and JWKS; after a key rotation both keys stay listed while the old key has valid credentials', async () => {
    const did = await call(h, 'GET', `/issuers/${h.slug}/did.json`);
    expect(did.status).toBe(200);
    expect(did.headers.get('content-type')).toContain('application/did+json');
    expect(did.body.id.toLowerCase()).toBe(`did:web:${new URL(h.url).host.replace(':', '%3a')}:issuers:${h.slug}`);
    const jwks = await call(h, 'GET', `/issuers/${h.slug}/jwks.json`);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid).sort()).toEqual(did.body.verificationMethod.map((vm: { id: string }) => vm.id).sort());
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d"/);

    const issued = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...recordMinimal, recordId: 'rotation-1' } });
    const oldKey = issued.body.credential.proof[0].verificationMethod as string;
    // Verified once before the rotation, so a cached DID document would lack the new key.
    expect((await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued.body.credential } })).status).toBe(200);
    const rotated = await call(h, 'POST', `/issuers/${h.slug}/keys/rotate`, { token: h.tokens.admin, body: { alg: 'Ed25519' } });
    expect(rotated.status, rotated.text).toBe(200);
    const after = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...recordMinimal, recordId: 'rotation-2' } });
    const newKey = after.body.credential.proof[0].verificationMethod as string;
    expect(newKey).not.toBe(oldKey);
    const listed = (await call(h, 'GET', `/issuers/${h.slug}/did.json`)).body.assertionMethod as string[];
    expect(listed).toEqual(expect.arrayContaining([oldKey, newKey]));
    const fresh = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: after.body.credential } });
    expect(fresh.status, fresh.text).toBe(200);
    expect((await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued.body.credential } })).status).toBe(200);
    const rotatedForbidden = await call(h, 'POST', `/issuers/${h.slug}/keys/rotate`, { token: h.tokens.full, body: {} });
    expect(rotatedForbidden.status).toBe(403);
  });

  it('serves the root issuer at /.well-known/did.json only when one uses the host DID', async () => {
    const res = await call(h, 'GET', '/.well-known/did.json');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const created = await call(h, 'POST', '/issuers', { token: 'deployment-admin-secret-token', body: { slug: 'host-root', profile, root: true } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.did.toLowerCase()).toBe(`did:web:${new URL(h.url).host.replace(':', '%3a')}`);
    const doc = await call(h, 'GET', '/.well-known/did.json');
    expect(doc.status).toBe(200);
    expect(doc.body.id).toBe(created.body.did);
    const key = await call(h, 'POST', '/issuers/host-root/api-keys', { token: 'deployment-admin-secret-token', body: { scopes: ['issue'] } });
    const issued = await call(h, 'POST', '/issuers/host-root/credentials', { token: key.body.token, body: { ...recordMinimal, recordId: 'root-1' } });
    // Resolved over real HTTP at /.well-known/did.json by an independent verifier.
    const report = await verify(issued.body.credential, { fetch: h.fetchViaHttp, statusListCacheMs: 0 });
    expect(report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown')).toEqual([]);
  });
});

describe('administration', () => {
  it('creates an issuer with the deployment admin token, then API keys for it; revoked keys stop working', async () => {
    const denied = await call(h, 'POST', '/issuers', { token: h.tokens.admin, body: { slug: 'newcomer', profile } });
    expect(denied.status).toBe(403);
    const invalid = await call(h, 'POST', '/issuers', { token: 'deployment-admin-secret-token', body: { slug: 'Bad Slug', profile } });
    expect(invalid.status).toBe(422);
    const created = await call(h, 'POST', '/issuers', { token: 'deployment-admin-secret-token', body: { slug: 'newcomer', profile: { ...profile, name: 'Newcomer Institute' } } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.did).toMatch(/:issuers:newcomer$/);
    const key = await call(h, 'POST', '/issuers/newcomer/api-keys', { token: 'deployment-admin-secret-token', body: { scopes: ['issue', 'read'], label: 'SIS' } });
    expect(key.status).toBe(201);
    expect(key.body.token).toMatch(/^mcred_/);
    const issued = await call(h, 'POST', '/issuers/newcomer/credentials', { token: key.body.token, body: { ...recordMinimal, recordId: 'newcomer-1' } });
    expect(issued.status).toBe(201);
    expect(issued.body.credential.issuer).toMatchObject({ id: created.body.did, name: 'Newcomer Institute' });
    expect((await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued.body.credential } })).status).toBe(200);
    const del = await call(h, 'DELETE', `/issuers/newcomer/api-keys/${key.body.id}`, { token: 'deployment-admin-secret-token' });
    expect(del.status).toBe(204);
    expect((await call(h, 'GET', '/issuers/newcomer/credentials', { token: key.body.token })).status).toBe(401);
    const badScopes = await call(h, 'POST', `/issuers/${h.slug}/api-keys`, { token: h.tokens.admin, body: { scopes: ['everything'] } });
    expect(badScopes.status).toBe(400);
    expect(badScopes.body.detail).toContain('everything');
  });

  it('refuses a profile holding text the database cannot store (U+0000, unpaired surrogates), naming where, and stores nothing', async () => {
    for (const [bad, where] of [
      [{ ...profile, name: 'North\u0000bridge' }, '$.name'],
      [{ ...profile, description: 'x\ud800' }, '$.description'],
    ] as const) {
      const res = await call(h, 'POST', '/issuers', { token: 'deployment-admin-secret-token', rawBody: JSON.stringify({ slug: 'text-check', profile: bad }) });
      expect(res.status, res.text).toBe(422);
      expect(res.body.detail).toContain(where);
    }
    expect((await call(h, 'GET', '/issuers/text-check')).status).toBe(404);
  });
});

describe('VC-API', () => {
  let did: string;
  beforeAll(async () => {
    did = (await call(h, 'GET', `/issuers/${h.slug}`)).body.did;
  });
  // A complete Annex I credential built for this issuer, unsigned and without id (the service assigns one).
  const unsigned = () => {
    const c = buildCredential(profile as never, assertRecord({ ...recordMinimal, recordId: 'vcapi' }), { issuerId: did }) as unknown as Record<string, unknown>;
    delete c.id;
    return c;
  };

  it('POST /credentials/issue signs a schema-valid credential (issuer filled in) and rejects an invalid one with the problems', async () => {
    const res = await call(h, 'POST', '/credentials/issue', { token: h.tokens.full, body: { credential: unsigned(), options: {} } });
    expect(res.status, res.text).toBe(201);
    const vc = res.body.verifiableCredential;
    expect(vc.proof[0]).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' });
    expect(vc.credentialStatus.statusPurpose).toBe('revocation');
    expect((await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: vc, options: { checks: ['proof', 'credentialStatus'] } } })).status).toBe(200);

    const jwt = await call(h, 'POST', '/credentials/issue', { token: h.tokens.full, body: { credential: unsigned(), options: { format: 'jwt' } } });
    expect(jwt.body.verifiableCredential).toMatchObject({ type: 'EnvelopedVerifiableCredential', id: expect.stringMatching(/^data:application\/vc\+jwt,ey/) });
    expect((await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: jwt.body.verifiableCredential } })).status).toBe(200);

    // Without issuer, the service fills in its own (a plain OB credential that does not claim our profile).
    const plain = unsigned();
    delete plain.issuer;
    plain.credentialSchema = (plain.credentialSchema as { id: string }[]).filter((s) => s.id.includes('imsglobal'));
    const filled = await call(h, 'POST', '/credentials/issue', { token: h.tokens.full, body: { credential: plain } });
    expect(filled.status, filled.text).toBe(201);
    expect(filled.body.verifiableCredential.issuer).toMatchObject({ id: did, type: ['Profile'] });
    const filledReport = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: filled.body.verifiableCredential } });
    expect(filledReport.body.checks.filter((c: { status: string }) => c.status === 'fail')).toEqual([]);

    const bad = unsigned();
    delete bad.credentialSubject;
    const rejected = await call(h, 'POST', '/credentials/issue', { token: h.tokens.full, body: { credential: bad } });
    expect(rejected.status).toBe(422);
    expect(rejected.body.type).toMatch(/#schema-invalid$/);
    expect(JSON.stringify(rejected.body.problems)).toContain('credentialSubject');
    const foreign = await call(h, 'POST', '/credentials/issue', { token: h.tokens.full, body: { credential: { ...unsigned(), issuer: { id: 'did:web:elsewhere.example', type: ['Profile'] } } } });
    expect(foreign.status).toBe(422);
  });

  it('POST /credentials/status revokes and suspends; verification follows', async () => {
    const issued = (await call(h, 'POST', '/credentials/issue', { token: h.tokens.full, body: { credential: unsigned() } })).body.verifiableCredential;
    const suspend = await call(h, 'POST', '/credentials/status', { token: h.tokens.full, body: { credentialId: issued.id, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'suspension' }, status: true } });
    expect(suspend.body).toEqual({ credentialId: issued.id, status: 'suspended' });
    expect((await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued } })).status).toBe(422);
    await call(h, 'POST', '/credentials/status', { token: h.tokens.full, body: { credentialId: issued.id, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'suspension' }, status: false } });
    expect((await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued } })).status).toBe(200);
    const revoke = await call(h, 'POST', '/credentials/status', { token: h.tokens.full, body: { credentialId: issued.id, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true } });
    expect(revoke.body.status).toBe('revoked');
    const report = await call(h, 'POST', '/credentials/verify', { body: { verifiableCredential: issued } });
    expect(report.status).toBe(422);
    expect(report.body.problemDetails.map((p: { type: string }) => p.type)).toContain('https://w3id.org/microcred/problems#check-status');
    const undo = await call(h, 'POST', '/credentials/status', { token: h.tokens.full, body: { credentialId: issued.id, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: false } });
    expect(undo.status).toBe(409);
    const unknown = await call(h, 'POST', '/credentials/status', { token: h.tokens.full, body: { credentialId: 'urn:uuid:nope', credentialStatus: { statusPurpose: 'revocation' }, status: true } });
    expect(unknown.status).toBe(404);
  });

  it('POST /presentations/verify checks the holder proof with challenge and domain, and the credentials inside', async () => {
    const vc = (await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...recordMinimal, recordId: 'vp-1' } })).body.credential;
    const unsignedVp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [vc] };
    const proofless = await call(h, 'POST', '/presentations/verify', { body: { presentation: unsignedVp } });
    expect(proofless.status, proofless.text).toBe(200);

    const holder = await generateKeySet({ dir: path.join(h.keysRoot, 'holder') });
    const documentLoader = createDocumentLoader();
    const vp = await (vcLib as unknown as { signPresentation(o: object): Promise<Record<string, unknown>> }).signPresentation({
      presentation: { ...unsignedVp, holder: holder.controller },
      suite: new DataIntegrityProof({ signer: holder.signer(), cryptosuite: eddsaRdfc2022 }),
      challenge: 'c-123',
      domain: 'verifier.example',
      documentLoader,
    });
    const ok = await call(h, 'POST', '/presentations/verify', { body: { verifiablePresentation: vp, options: { challenge: 'c-123', domain: 'verifier.example' } } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.presentationResult.verified).toBe(true);
    const wrong = await call(h, 'POST', '/presentations/verify', { body: { verifiablePresentation: vp, options: { challenge: 'other', domain: 'verifier.example' } } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.presentationResult.verified).toBe(false);
    const noProof = await call(h, 'POST', '/presentations/verify', { body: { verifiablePresentation: unsignedVp } });
    expect(noProof.status).toBe(422);
  });
});

describe('logs', () => {
  it('are JSON lines with request ids and never contain tokens, private keys or learner personal data', async () => {
    const learner = { fullName: 'Zebedee Quartermaine-Log', email: 'zebedee.q@private.example', studentId: 'SECRET-STUDENT-77', did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' };
    const rec = { ...structuredClone(record), recordId: 'log-1', learner };
    await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: rec });
    await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, body: { ...rec, result: { completionDate: 'not a date' } } });
    await call(h, 'POST', `/issuers/${h.slug}/credentials/batch`, { token: h.tokens.full, body: [rec, { ...rec, recordId: 'log-2', learner: { ...learner, email: 'not-an-email' } }] });
    await call(h, 'GET', `/issuers/${h.slug}/credentials?learner=${learner.studentId}`, { token: h.tokens.readOnly });
    await call(h, 'GET', `/issuers/${h.slug}/credentials?learner=${learner.email}`, { token: 'mcred_wrong-token-value' });
    await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.tokens.full, rawBody: `{"learner": "${learner.fullName}"` });
    await new Promise((r) => setTimeout(r, 50));

    const text = h.logs.join('');
    const lines = h.logs.flatMap((l) => l.split('\n')).filter(Boolean);
    expect(lines.length).toBeGreaterThan(5);
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(5);
    for (const r of requests) expect(r.reqId).toEqual(expect.any(String));
    const secrets = [...Object.values(h.tokens), 'mcred_wrong-token-value', 'deployment-admin-secret-token', learner.fullName, learner.email, learner.studentId, 'Quartermaine'];
    // Every private key of every issuer (the "d" member of the private JWK files).
    for (const dir of readdirSync(h.keysRoot)) {
      for (const f of readdirSync(path.join(h.keysRoot, dir)).filter((n) => n.includes('private'))) {
        secrets.push((JSON.parse(readFileSync(path.join(h.keysRoot, dir, f), 'utf8')) as { d: string }).d);
      }
    }
    expect(secrets.length).toBeGreaterThan(12);
    for (const s of secrets) expect(text.includes(s), `log contains ${s.slice(0, 12)}…`).toBe(false);
  });
});

type Sample = { name: string; labels: Record<string, string>; value: number };

/**
 * A strict reader of the Prometheus text format 0.0.4: every sample belongs to a family announced by HELP and TYPE
 * before it; label syntax; numeric values; histogram buckets cumulative, ending in le="+Inf" equal to _count.
 */
function parsePrometheus(text: string): Map<string, { type: string; samples: Sample[] }> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, { type: string; samples: Sample[] }>();
  let current: string | undefined;
  for (const line of text.split('\n').filter(Boolean)) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        expect(families.has(meta[2] as string), `family ${meta[2]} announced twice`).toBe(false);
        families.set(meta[2] as string, { type: meta[3] as string, samples: [] });
        current = meta[2];
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (\S+)$/.exec(line);
    expect(m, `not a sample line: ${line}`).toBeTruthy();
    const [, name, labelText, valueText] = m as RegExpExecArray;
    const family = families.get(current as string);
    expect(family, `sample before its TYPE: ${line}`).toBeTruthy();
    const suffix = (name as string).slice((current as string).length);
    expect((name as string).startsWith(current as string) && (family?.type === 'histogram' ? ['_bucket', '_sum', '_count'] : ['']).includes(suffix), line).toBe(true);
    const value = valueText === '+Inf' ? Infinity : Number(valueText);
    expect(Number.isNaN(value), line).toBe(false);
    const labels = Object.fromEntries([...(labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    family?.samples.push({ name: name as string, labels: labels as Record<string, string>, value });
  }
  for (const [name, f] of families) {
    if (f.type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const x of f.samples.filter((y) => y.name === `${name}_bucket`)) {
      const { le, ...rest } = x.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), x]);
      expect(le).toBeDefined();
    }
    for (const [key, buckets] of series) {
      const values = buckets.map((b) => b.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(buckets.at(-1)?.labels.le).toBe('+Inf');
      const count = f.samples.find((y) => y.name === `${name}_count` && JSON.stringify(y.labels) === key);
      expect(count?.value).toBe(buckets.at(-1)?.value);
    }
  }
  return families;
}
