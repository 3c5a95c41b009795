/**
 * Golden verification: every signed example in the bundled standards material verifies (DIGEST §13). Controller
 * documents for the https://example.* keys and JWK sets for the embedded RS256 keys are served by injected
 * collaborators; nothing touches the network.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { verify } from '../src/verify/verify.js';
import type { VerificationReport } from '../src/verify/verify.js';
import { controllerDocsFor, FIXTURES, fixture, mapFetch, mapResolver } from './verify-helpers.js';

const NOW = new Date('2024-06-01T00:00:00Z');

function statusOf(report: VerificationReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

/** Empty 1EdTech revocation lists for every 1EdTechRevocationList URL, and JWK sets for embedded JWT keys. */
function servedFor(credentials: Record<string, unknown>[], jwts: string[] = []): Record<string, unknown> {
  const routes: Record<string, unknown> = {};
  for (const c of credentials) {
    const status = c.credentialStatus as { type?: string; id?: string } | undefined;
    if (status?.type === '1EdTechRevocationList' && status.id) routes[status.id] = { revokedCredentials: [] };
  }
  for (const jws of jwts) {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] as string, 'base64url').toString());
    const payload = JSON.parse(Buffer.from(jws.split('.')[1] as string, 'base64url').toString());
    const url = new URL('/.well-known/jwks.json', payload.iss).href;
    const set = (routes[url] as { keys: unknown[] } | undefined) ?? { keys: [] };
    set.keys.push(header.jwk);
    routes[url] = set;
    const cred = payload.vc ?? payload;
    if (cred.credentialStatus?.type === '1EdTechRevocationList') routes[cred.credentialStatus.id] = { revokedCredentials: [] };
  }
  return routes;
}

const RENDERED = [
  'ob30-rendered-spec-1-docformat-sample.eddsa-rdfc-2022.json',
  'ob30-rendered-spec-2-basic.eddsa-rdfc-2022.json',
  'ob30-rendered-spec-3-complete.eddsa-rdfc-2022.json',
  'ob30-rendered-spec-4-endorsement.eddsa-rdfc-2022.json',
  'ob30-rendered-spec-5-alignment-case.eddsa-rdfc-2022.json',
  'ob30-rendered-spec-6-alignment-ctdl.eddsa-rdfc-2022.json',
  'ob30-rendered-spec-7-skill-assertion-case.eddsa-rdfc-2022.json',
  'ob30-rendered-spec-8-skill-assertion-ctdl.eddsa-rdfc-2022.json',
  '1edtech-impl-guide-ob30-eddsa-rdfc-2022-signed.json',
];

describe('VC 2.0 Data Integrity examples (eddsa-rdfc-2022, https controller documents)', () => {
  it.each(RENDERED)('%s verifies', async (file) => {
    const credential = fixture(file);
    const fetch = mapFetch(servedFor([credential]));
    const report = await verify(credential, { resolver: mapResolver(controllerDocsFor(credential)), fetch, now: NOW });
    const s = statusOf(report);
    expect(report.verified, JSON.stringify(report.checks, null, 1)).toBe(true);
    expect(report.format).toBe('di');
    expect(s.proof).toBe('pass');
    expect(s['issuer-key']).toBe('pass');
    expect(s.validity).toBe('pass');
    expect(s.context).toBe('pass');
    // Endorsement credentials are checked against the EndorsementCredential schema, badges against the
    // AchievementCredential one.
    expect(s.schema).toBe('pass');
    if (file.includes('endorsement')) expect(report.checks.find((c) => c.id === 'schema')?.message).toContain('EndorsementCredential schema');
    // Who signed is the signer's to say (report.signer), never a name taken from the credential.
    expect(report.checks.find((c) => c.id === 'proof')?.message).toBe('The signature matches: the credential has not been changed since it was signed.');
  });

  it('is not verified when the controller document is not available (no key: the signature could not be checked)', async () => {
    const credential = fixture('ob30-rendered-spec-2-basic.eddsa-rdfc-2022.json');
    const report = await verify(credential, { resolver: mapResolver({}), fetch: mapFetch({}), now: NOW });
    expect(report.verified).toBe(false);
    expect(statusOf(report).proof).toBe('unknown');
    expect(report.checks.find((c) => c.id === 'proof')?.message).not.toContain('not valid');
  });
});

describe('VC 2.0 VC-JWT examples (RS256, header jwk, no nbf)', () => {
  const vectors = fixture<{ vectors: { n: number; compactJws: string }[] }>('ob30-rendered-spec-vc-jwt-rs256-vectors.json').vectors;
  it.each(vectors.map((v) => [v.n, v.compactJws] as const))('vector %i verifies', async (_n, jws) => {
    const report = await verify(jws, { resolver: mapResolver({}), fetch: mapFetch(servedFor([], [jws])), now: NOW });
    const s = statusOf(report);
    expect(report.verified, JSON.stringify(report.checks, null, 1)).toBe(true);
    expect(report.format).toBe('jwt');
    // Signature valid, but OB requires nbf and these examples have none: a warning, not a failure.
    expect(s.proof).toBe('warning');
    expect(report.checks.find((c) => c.id === 'proof')?.message).toContain('"nbf"');
    expect(s['issuer-key']).toBe('pass');
  });

  it('does not trust a self-contained key the issuer does not publish', async () => {
    const jws = vectors[1]!.compactJws;
    const otherKey = { keys: [{ kty: 'RSA', n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw', e: 'AQAB' }] };
    const report = await verify(jws, {
      resolver: mapResolver({}),
      fetch: mapFetch({ 'https://example.com/.well-known/jwks.json': otherKey }),
      now: NOW,
    });
    expect(report.verified).toBe(false);
    expect(statusOf(report)['issuer-key']).toBe('fail');
  });

  it('reports issuer-key "unknown" when the issuer key set cannot be fetched', async () => {
    const report = await verify(vectors[1]!.compactJws, { resolver: mapResolver({}), fetch: mapFetch({}), now: NOW });
    expect(report.verified).toBe(false);
    expect(statusOf(report)['issuer-key']).toBe('unknown');
  });

  it('accepts the JWT wrapped in a JSON string', async () => {
    const jws = vectors[1]!.compactJws;
    const report = await verify(JSON.stringify(jws), { resolver: mapResolver({}), fetch: mapFetch(servedFor([], [jws])), now: NOW });
    expect(report.verified).toBe(true);
  });
});

describe('VC 1.1 examples (issuanceDate, data-integrity/v1 context, JWT vc claim)', () => {
  const vectors = fixture<{ vectors: { n: number; dataIntegrity: Record<string, unknown>; vcJwt: { compactJws: string } }[] }>(
    'ob30-rendered-spec-vc1-2023-vectors.json',
  ).vectors;

  it.each(vectors.map((v) => [v.n, v.dataIntegrity] as const))('Data Integrity vector %i verifies', async (_n, credential) => {
    const report = await verify(credential, {
      resolver: mapResolver(controllerDocsFor(credential)),
      fetch: mapFetch(servedFor([credential])),
      now: NOW,
    });
    const s = statusOf(report);
    expect(report.verified, JSON.stringify(report.checks, null, 1)).toBe(true);
    expect(s.proof).toBe('pass');
    expect(s['issuer-key']).toBe('pass');
    // The official schema describes VC 2.0 only: VC 1.1 badges get a warning explaining that, not a failure.
    expect(s.schema).toBe('warning');
    const types = credential.type as string[];
    expect(report.checks.find((c) => c.id === 'schema')?.message).toContain(
      types.includes('EndorsementCredential') ? 'endorsement' : 'VC 1.1',
    );
  });

  it.each(vectors.map((v) => [v.n, v.vcJwt.compactJws] as const))('JWT vector %i verifies', async (_n, jws) => {
    const report = await verify(jws, { resolver: mapResolver({}), fetch: mapFetch(servedFor([], [jws])), now: NOW });
    const s = statusOf(report);
    expect(report.verified, JSON.stringify(report.checks, null, 1)).toBe(true);
    expect(s.proof).toBe('pass');
    expect(s['issuer-key']).toBe('pass');
  });

  it('applies expirationDate: vector 3 has expired by 2031', async () => {
    const credential = vectors[2]!.dataIntegrity;
    const report = await verify(credential, {
      resolver: mapResolver(controllerDocsFor(credential)),
      fetch: mapFetch(servedFor([credential])),
      now: new Date('2031-01-01T00:00:00Z'),
    });
    expect(report.verified).toBe(false);
    expect(statusOf(report).validity).toBe('fail');
    expect(report.checks.find((c) => c.id === 'validity')?.message).toContain('1 January 2030');
  });
});

describe('W3C vc-di-eddsa vectors (did:key key, generic VC)', () => {
  it.each(['w3c-vc-di-eddsa-rdfc-2022-signed.json', 'w3c-vc-di-eddsa-ed25519signature2020-signed.json'])(
    '%s: the signature verifies; the key is not the issuer\'s',
    async (file) => {
      const report = await verify(fixture(file), { resolver: mapResolver({}), fetch: mapFetch({}), now: NOW });
      const s = statusOf(report);
      expect(s.proof).toBe('pass');
      // The vectors name https://vc.example/issuers/5678 as issuer but are signed by a did:key: ownership fails.
      expect(s['issuer-key']).toBe('fail');
      expect(report.checks.find((c) => c.id === 'issuer-key')?.message).toContain('did:key:z6MkrJVn');
      expect(report.verified).toBe(false);
    },
  );

  it('verifies offline through the default resolver once the issuer is the did:key itself', async () => {
    const { createTestIssuer } = await import('./verify-helpers.js');
    const issuer = await createTestIssuer('did:key');
    const unsigned = fixture('w3c-vc-di-eddsa-unsigned.json');
    const signed = await issuer.sign({ ...unsigned, issuer: issuer.controller });
    const report = await verify(signed, { now: NOW });
    expect(report.verified, JSON.stringify(report.checks, null, 1)).toBe(true);
  });
});

describe('the bundled examples', () => {
  const JWT_VECTORS = 'ob30-rendered-spec-vc-jwt-rs256-vectors.json';
  const VC1_VECTORS = 'ob30-rendered-spec-vc1-2023-vectors.json';
  const W3C = ['w3c-vc-di-eddsa-rdfc-2022-signed.json', 'w3c-vc-di-eddsa-ed25519signature2020-signed.json'];
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

  it('are byte-identical to the upstream copies (SHA-256 listed in PROVENANCE.md)', () => {
    const provenance = readFileSync(path.join(FIXTURES, 'PROVENANCE.md'), 'utf8');
    for (const f of files) {
      const sha = createHash('sha256').update(readFileSync(path.join(FIXTURES, f))).digest('hex');
      expect(provenance, f).toContain(`| \`${f}\` | \`${sha}\` |`);
    }
  });

  it('every signed one is verified above', () => {
    // Verified in verify-semantics, verify-proof-sets and verify-endorsements.test.ts.
    const elsewhere = [
      '1edtech-validator-simple-did-key-method.json',
      '1edtech-validator-endorsement-valid.json',
      '1edtech-validator-endorsement-err-schema-status-refresh.json',
      'w3c-vc-di-eddsa-proof-chain-signedProofChain2.json',
    ];
    const covered = new Set([...RENDERED, JWT_VECTORS, VC1_VECTORS, ...W3C, ...elsewhere]);
    // Signed = a top-level proof, or a file of signed vectors. (Endorsements embedded in the "complete" examples
    // carry placeholder proofs with the misspelt cryptosuite "eddsa-rdf-2022": not real signatures.)
    const signed = files.filter((f) => {
      const doc = fixture(f);
      return doc.proof !== undefined || Array.isArray(doc.vectors);
    });
    expect(signed.length).toBeGreaterThanOrEqual(covered.size);
    expect(signed.filter((f) => !covered.has(f))).toEqual([]);
  });
});
