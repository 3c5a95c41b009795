/**
 * The signed CLR 2.0 transcript through @digitalcredentials/verifier-core (the verifier inside the Learner Credential
 * Wallet and VerifierPlus): the issuer's signature (its did:web document as our service publishes it) and the
 * official CLR 2.0 JSON Schema the transcript names. Nothing reaches the network: verifier-core calls the global
 * `fetch`, which this file answers from the service started on 127.0.0.1 (did:web resolves over https; the one
 * rewrite is https → http to the same server), the bundled CLR schema (src/schemas) and the bundled copies of the
 * contexts verifier-core does not carry, which it fetches (contexts/, as published: see contexts/PROVENANCE.md);
 * anything else is refused and listed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyCredential } from '@digitalcredentials/verifier-core';
import { SCHEMAS_DIR } from '../src/lib/paths.js';
import { CLR_CREDENTIAL_SCHEMA_URL } from '../src/schema/validate-clr.js';
import { call, startHarness } from './http-helpers.js';
import type { Harness } from './http-helpers.js';
import { stackingFixtures, topUpRules } from './stacking-fixtures.js';

type Json = Record<string, any>;
const CLR_SCHEMA = readFileSync(path.join(SCHEMAS_DIR, 'clr-v2p0-clrcredential.schema.json'), 'utf8');
const CONTEXTS_DIR = path.resolve(import.meta.dirname, '..', 'contexts');
const CONTEXT_FILES = JSON.parse(readFileSync(path.join(CONTEXTS_DIR, 'url-map.json'), 'utf8')) as Record<string, string>;
const fetchedContexts: string[] = [];
const realFetch = globalThis.fetch;
const refused: string[] = [];
let h: Harness;
let transcript: Json;

beforeAll(async () => {
  const fx = await stackingFixtures();
  h = await startHarness({ fetch: fx.fetch });
  const res = await call(h, 'POST', `/issuers/${h.slug}/stacking/transcripts`, {
    token: h.tokens.full,
    body: { credentials: [fx.c.a1, fx.c.a2, fx.c.b1, fx.c.b2], rules: topUpRules(fx) },
  });
  expect(res.status, res.text).toBe(201);
  transcript = res.body.verifiableCredential;
  const local = new URL(h.url);
  globalThis.fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = request ? request.url : String(input);
    const u = new URL(url);
    if (u.host === local.host) {
      const target = `${h.url}${u.pathname}${u.search}`;
      return request ? realFetch(new Request(target, request), init) : realFetch(target, init);
    }
    if (url === CLR_CREDENTIAL_SCHEMA_URL) return new Response(CLR_SCHEMA, { status: 200, headers: { 'content-type': 'application/json' } });
    const file = url.startsWith('https://purl.imsglobal.org/') ? CONTEXT_FILES[url] : undefined;
    if (file) {
      fetchedContexts.push(url);
      return new Response(readFileSync(path.join(CONTEXTS_DIR, file), 'utf8'), { status: 200, headers: { 'content-type': 'application/ld+json' } });
    }
    refused.push(url);
    throw new TypeError(`no network in tests: ${url}`);
  };
}, 60_000);

afterAll(async () => {
  globalThis.fetch = realFetch;
  await h?.close();
});

/** verifier-core's steps by id, and its schema results (schema id -> valid). */
async function dcc(credential: Json): Promise<{ steps: Record<string, unknown>; schemas: Record<string, boolean>; raw: Json }> {
  const quiet = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'warn').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation(() => {})];
  let raw: Json;
  try {
    raw = (await verifyCredential({ credential: credential as Parameters<typeof verifyCredential>[0]['credential'], knownDIDRegistries: [] })) as Json;
  } finally {
    for (const q of quiet) q.mockRestore();
  }
  const steps: Record<string, unknown> = {};
  for (const s of raw.log ?? []) steps[s.id] = s.valid ?? s.error?.name;
  for (const e of raw.errors ?? []) steps[e.name] = false;
  const info = (raw.additionalInformation ?? []).find((e: Json) => e.id === 'schema_check');
  const schemas = Object.fromEntries(((info?.results ?? []) as Json[]).map((r) => [r.schema, r.result.valid === true]));
  return { steps, schemas, raw: { ...raw, credential: undefined } };
}

describe('the CLR 2.0 transcript in verifier-core', () => {
  it('has a valid signature and passes the official CLR 2.0 schema', async () => {
    const { steps, schemas, raw } = await dcc(transcript);
    expect(steps, JSON.stringify(raw).slice(0, 1500)).toMatchObject({ valid_signature: true, expiration: true });
    expect(schemas, JSON.stringify(raw).slice(0, 1500)).toEqual({ [CLR_CREDENTIAL_SCHEMA_URL]: true });
    expect(refused).toEqual([]);
    // What verifier-core had to fetch: the CLR 2.0 context (it carries the OB contexts, not CLR's).
    expect(fetchedContexts).toContain('https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json');
  });

  it('is not blind: a transcript whose totals were edited after signing fails the signature check', async () => {
    const edited = structuredClone(transcript);
    edited.description = edited.description.replace(/^\d+/, '240');
    const { steps } = await dcc(edited);
    expect(steps.valid_signature ?? steps.invalid_signature).toBe(false);
  });
});
