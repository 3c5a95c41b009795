/**
 * Our Data Integrity credentials through @digitalcredentials/verifier-core, the verifier inside the DCC Learner
 * Credential Wallet and VerifierPlus: signature, expiry, status and schema checks, on credentials issued by our own
 * service (did:web issuer, BitstringStatusList entry, the served profile schema in credentialSchema).
 *
 * Nothing reaches the network. verifier-core has no injectable loader: its schema check calls the global `fetch`
 * (ajv `loadSchema`), and its document loader (status lists) and did:web driver (DID documents) call ky, which also
 * calls the global `fetch` at request time. So the one hook is `globalThis.fetch`, wrapped for this file:
 * - http://127.0.0.1:PORT/… (status lists, the profile schema) goes to our service, started here on 127.0.0.1;
 * - https://127.0.0.1:PORT/… goes to the same server over http. did:web always resolves over https
 *   (did:web:127.0.0.1%3APORT:issuers:x -> https://127.0.0.1:PORT/issuers/x/did.json) and the test server speaks
 *   http; this is the only rewrite, and the document is still the one our service publishes;
 * - the official OB schema's purl URL is answered with the bundled copy (src/schemas, byte for byte as published);
 * - w3id.org answers 404, as the never-registered microcred redirect does;
 * - *.invalid hosts are answered from `fakeHosts` (schemas the "before" cases need);
 * - anything else throws, and the test checks at the end that nothing else was asked for.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyCredential } from '@digitalcredentials/verifier-core';
import { issueCredential } from '../src/issue.js';
import { loadKeySet, type KeySet } from '../src/keyset/keyset.js';
import { SCHEMAS_DIR } from '../src/lib/paths.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL } from '../src/schema/validate-ob.js';
import { LEGACY_MICROCRED_PROFILE_SCHEMA_ID, microcredProfileSchemaText } from '../src/schema/validate-profile.js';
import { verify } from '../src/verify/verify.js';
import { call, recordMinimal, record, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';

type Json = Record<string, any>;

const OB_SCHEMA = readFileSync(path.join(SCHEMAS_DIR, 'ob-v3p0-achievementcredential.schema.json'), 'utf8');
const realFetch = globalThis.fetch;
const asked: string[] = [];
const refused: string[] = [];
const fakeHosts = new Map<string, string>();
let h: Harness;
let second: Harness;
let keys: KeySet;

function hook(servers: () => Harness[]): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = request ? request.url : String(input);
    asked.push(url);
    const u = new URL(url);
    for (const srv of servers()) {
      const local = new URL(srv.url);
      if (u.host !== local.host) continue;
      const target = `${srv.url}${u.pathname}${u.search}`;
      // A Request (ky) is re-targeted with its method and headers; a string URL (ajv loadSchema) is fetched as given.
      return request ? realFetch(new Request(target, request), init) : realFetch(target, init);
    }
    if (url === OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL) {
      return new Response(OB_SCHEMA, { status: 200, headers: { 'content-type': 'application/json' } });
    }
    if (u.hostname === 'w3id.org') return new Response('<html><body>404 Not Found</body></html>', { status: 404, headers: { 'content-type': 'text/html' } });
    const fake = u.hostname.endsWith('.invalid') ? fakeHosts.get(url) : undefined;
    if (fake !== undefined) return new Response(fake, { status: 200, headers: { 'content-type': 'application/schema+json' } });
    refused.push(url);
    throw new TypeError(`no network in tests: ${url}`);
  };
}

beforeAll(async () => {
  h = await startHarness();
  // A second deployment (own port, so its own schema URL and did:web issuers) on the same database.
  second = await startHarness({}, h.db);
  globalThis.fetch = hook(() => [h, second]);
  keys = await loadKeySet(path.join(h.keysRoot, h.slug));
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await second?.close();
  await h?.close();
});

async function issue(srv: Harness, body: Json): Promise<Json> {
  const res = await call(srv, 'POST', `/issuers/${srv.slug}/credentials`, { token: srv.tokens.full, body });
  expect(res.status, res.text).toBe(201);
  return res.body.credential as Json;
}

/**
 * The steps verifier-core reports, by id, its schema results (`schema id -> valid`, or its error string) and what it
 * printed (it reports why a schema failed only on the console).
 */
async function dcc(credential: Json): Promise<{ steps: Record<string, unknown>; schemas: Record<string, boolean> | string; raw: Json; printed: string }> {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  const log = vi.spyOn(console, 'log').mockImplementation(capture);
  const error = vi.spyOn(console, 'error').mockImplementation(capture);
  // ajv's strictTuples warnings about the official OB schema's @context tuple land here too.
  const warn = vi.spyOn(console, 'warn').mockImplementation(capture);
  let raw: Json;
  try {
    raw = (await verifyCredential({ credential: credential as Parameters<typeof verifyCredential>[0]['credential'], knownDIDRegistries: [] })) as Json;
  } finally {
    log.mockRestore();
    error.mockRestore();
    warn.mockRestore();
  }
  const steps: Record<string, unknown> = {};
  for (const s of raw.log ?? []) steps[s.id] = s.valid ?? s.error?.name;
  const info = (raw.additionalInformation ?? []).find((e: Json) => e.id === 'schema_check');
  const schemas = typeof info?.results === 'string'
    ? (info.results as string)
    : Object.fromEntries(((info?.results ?? []) as Json[]).map((r) => [r.schema, r.result.valid === true]));
  return { steps, schemas, raw, printed: lines.join('\n') };
}

/** A copy of an issued credential with `edit` applied, signed again by the same issuer key (a valid signature). */
async function resigned(credential: Json, edit: (c: Json) => void): Promise<Json> {
  const { proof: _proof, ...unsigned } = structuredClone(credential);
  edit(unsigned);
  return (await issueCredential(unsigned, { format: 'di', keys, created: '2026-01-01T00:00:00Z' })) as Json;
}

describe('the served profile schema', () => {
  it('is served at the id the service lists, as application/schema+json, cacheable, with an ETag', async () => {
    const credential = await issue(h, { ...recordMinimal, recordId: 'dcc-served-1' });
    const listed = (credential.credentialSchema as Json[]).map((s) => s.id);
    expect(listed).toEqual([OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, `${h.url}/schemas/microcred-profile/v1.json`]);
    const res = await realFetch(listed[1]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/schema\+json\b/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toBe(microcredProfileSchemaText());
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    // node:http, not fetch: fetch adds "Cache-Control: no-cache" to a conditional request (Fetch standard), which a
    // server rightly answers in full.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get(listed[1], { headers: { 'if-none-match': etag! } }, (r) => { r.resume(); resolve(r.statusCode); }).on('error', reject);
    });
    expect(status).toBe(304);
    // Our own verifier recognises the served id and applies the bundled copy.
    const ours = await verify(credential, { fetch: h.fetchViaHttp });
    expect(ours.checks.find((c) => c.id === 'profile')?.status).toBe('pass');
  });
});

describe('@digitalcredentials/verifier-core on credentials our service issues', () => {
  it('a DI credential passes its signature, expiry, status and schema checks (both listed schemas fetched and valid)', async () => {
    const credential = await issue(h, { ...record, recordId: 'dcc-full-1' });
    expect(credential.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    const { steps, schemas, raw, printed } = await dcc(credential);
    expect(raw.errors, JSON.stringify(raw.errors)).toBeUndefined();
    expect(printed).not.toMatch(/error/i);
    expect(steps).toMatchObject({ valid_signature: true, expiration: true, revocation_status: true });
    expect(schemas).toEqual({
      [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL]: true,
      [`${h.url}/schemas/microcred-profile/v1.json`]: true,
    });
    // It really fetched them: the profile schema and the status list from our server, the DID document via did:web.
    expect(asked).toEqual(expect.arrayContaining([
      `${h.url}/schemas/microcred-profile/v1.json`,
      credential.credentialStatus.statusListCredential,
      `${h.url.replace('http://', 'https://')}/issuers/${h.slug}/did.json`,
    ]));
  });

  it('the checks can fail: a revoked credential fails its status check, an edited one its signature', async () => {
    const credential = await issue(h, { ...recordMinimal, recordId: 'dcc-revoked-1' });
    const revoked = await call(h, 'POST', `/issuers/${h.slug}/credentials/${encodeURIComponent(credential.id)}/revoke`, { token: h.tokens.full, body: { reason: 'issued in error' } });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await dcc(credential)).steps).toMatchObject({ valid_signature: true, revocation_status: false });
    const edited = (await dcc({ ...credential, name: 'Something else' })).raw;
    expect(edited.errors?.[0]?.name, JSON.stringify(edited.errors)).toBe('invalid_signature');
  });

  it('the profile schema fails a credential that lacks an Annex I element (re-signed, so only the schema objects)', async () => {
    const credential = await issue(h, { ...recordMinimal, recordId: 'dcc-missing-1' });
    const missing = await resigned(credential, (c) => {
      c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment.filter((a: Json) => a.targetType !== 'ext:ECTS');
    });
    const { steps, schemas } = await dcc(missing);
    expect(steps).toMatchObject({ valid_signature: true });
    expect(schemas).toEqual({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL]: true, [`${h.url}/schemas/microcred-profile/v1.json`]: false });
  });

  it('credentials of two deployments verify in one wallet session (the schema has no $id to collide on)', async () => {
    const a = await issue(h, { ...recordMinimal, recordId: 'dcc-two-1' });
    const b = await issue(second, { ...recordMinimal, recordId: 'dcc-two-2' });
    expect(b.credentialSchema[1].id).toBe(`${second.url}/schemas/microcred-profile/v1.json`);
    for (const credential of [a, b, a]) {
      const { steps, schemas } = await dcc(credential);
      expect(steps).toMatchObject({ valid_signature: true, expiration: true, revocation_status: true });
      expect(Object.values(schemas as Record<string, boolean>)).toEqual([true, true]);
    }
  });
});

describe('what verifier-core said before the fix (so this file can fail)', () => {
  it('a credential listing the old w3id.org id: the schema cannot be fetched, INVALID_SCHEMA', async () => {
    const credential = await issue(h, { ...recordMinimal, recordId: 'dcc-legacy-1' });
    const legacy = await resigned(credential, (c) => {
      c.credentialSchema[1].id = LEGACY_MICROCRED_PROFILE_SCHEMA_ID;
    });
    const { steps, schemas, printed } = await dcc(legacy);
    expect(steps).toMatchObject({ valid_signature: true, revocation_status: true });
    expect(schemas).toMatch(/^INVALID_SCHEMA/);
    expect(printed).toContain('Error fetching schema');
    expect(asked).toContain(LEGACY_MICROCRED_PROFILE_SCHEMA_ID);
    // Our verifier still recognises the old id and applies the bundled profile: such credentials keep verifying.
    const ours = await verify(legacy, { fetch: h.fetchViaHttp });
    expect(ours.verified).toBe(true);
    expect(ours.checks.find((c) => c.id === 'profile')?.status).toBe('pass');
  });

  it('the schema as it was (custom "expected" keyword), even where it can be fetched: INVALID_SCHEMA', async () => {
    const old = JSON.parse(microcredProfileSchemaText()) as Json;
    old.allOf[4].properties.validFrom.expected = 'the date of issuing (validFrom, a date-time)';
    const url = 'https://old-schema.invalid/schemas/microcred-profile/v1.json';
    fakeHosts.set(url, JSON.stringify(old));
    const credential = await issue(h, { ...recordMinimal, recordId: 'dcc-old-keyword-1' });
    const { schemas, printed } = await dcc(await resigned(credential, (c) => {
      c.credentialSchema[1].id = url;
    }));
    expect(schemas).toMatch(/^INVALID_SCHEMA/);
    expect(printed).toContain('strict mode: unknown keyword: "expected"');
  });

  it('one fixed $id served by two deployments: the second collides in the wallet\'s schema cache, INVALID_SCHEMA', async () => {
    const withId = JSON.stringify({ $id: 'https://schemas.invalid/microcred-profile/v1.json', ...JSON.parse(microcredProfileSchemaText()) });
    const urls = ['https://one.invalid/schemas/microcred-profile/v1.json', 'https://two.invalid/schemas/microcred-profile/v1.json'];
    for (const url of urls) fakeHosts.set(url, withId);
    const credential = await issue(h, { ...recordMinimal, recordId: 'dcc-fixed-id-1' });
    const results = [];
    for (const url of urls) results.push(await dcc(await resigned(credential, (c) => { c.credentialSchema[1].id = url; })));
    expect(results[0]?.schemas).toEqual({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL]: true, [urls[0]!]: true });
    expect(results[1]?.schemas).toMatch(/^INVALID_SCHEMA/);
    expect(results[1]?.printed).toContain('schema with key or id "https://schemas.invalid/microcred-profile/v1.json" already exists');
  });

  it('asked for nothing outside 127.0.0.1 except the answered URLs', () => {
    expect(refused).toEqual([]);
  });
});
