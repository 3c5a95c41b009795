/**
 * Who really signed it: the verifier reports the signer as proven (did:web / https host, or a self-asserted did:key),
 * shows the profile's name only as "says it is …" unless the issuer is on a configured trust list (the DCC registry
 * format and microcred's simple list), has an issuer-trust check that never makes a credential invalid, and says
 * when a credential cannot be revoked. Credentials are signed with test keys through @digitalbazaar/vc.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verify, type VerificationReport } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { VERIFY_MESSAGES } from '../src/verify/messages.js';
import { createTrustRegistry } from '../src/trust/registry.js';
import { createGuardedFetch } from '../src/lib/guarded-fetch.js';
import { createStatusList, encodeStatusList } from '../src/status/bitstring.js';
import { createTestIssuer, fixture, mapFetch, mapResolver, type TestIssuer } from './verify-helpers.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const TRUST_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'trust');
const COMMUNITY = path.join(TRUST_FIXTURES, 'dcc-community-registry.json');
/** A did:web that the real DCC Community Registry lists ("My School"). */
const LISTED_DID_WEB = 'did:web:credentials.myschool.ca';
const UNI_DID_WEB = 'did:web:credentials.example.ac.uk:issuers:maths';

let didKey: TestIssuer;
let school: TestIssuer;
let uni: TestIssuer;
let tmp: string;

function check(report: VerificationReport, id: string) {
  return report.checks.find((c) => c.id === id);
}
function badge(issuerId: string, name: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...fixture('ob30-spec-example-basic.json'),
    issuer: { id: issuerId, type: ['Profile'], ...(name ? { name } : {}) },
    validFrom: '2025-01-01T00:00:00Z',
    ...extra,
  };
}
function resolver() {
  return mapResolver({ [LISTED_DID_WEB]: school.controllerDocument, [UNI_DID_WEB]: uni.controllerDocument });
}
function listFile(doc: unknown): string {
  const file = path.join(tmp, `list-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}
/** Every sentence with an id is the catalogue's sentence with its parameters, and the check's text is their join. */
function expectCatalogued(report: VerificationReport): void {
  for (const c of report.checks) {
    if (!c.messages) continue;
    expect(c.message).toBe(c.messages.map((m) => m.text).join(' '));
    for (const m of c.messages) {
      expect(VERIFY_MESSAGES[m.id]).toBeDefined();
      expect(m.text).not.toMatch(/\{\w+\}/);
    }
  }
}

beforeAll(async () => {
  didKey = await createTestIssuer('did:key', 11);
  school = await createTestIssuer(LISTED_DID_WEB, 12);
  uni = await createTestIssuer(UNI_DID_WEB, 13);
  tmp = mkdtempSync(path.join(tmpdir(), 'microcred-signer-'));
});

describe('a did:key issuer whose profile says it is the University of Oxford', () => {
  it('is shown as a self-asserted key that "says it is" Oxford; no sentence presents Oxford as the signer', async () => {
    const signed = await didKey.sign(badge(didKey.controller, 'University of Oxford'));
    const trust = createTrustRegistry({ lists: [{ file: COMMUNITY, name: 'DCC Community Registry' }] });
    const report = await verify(signed, { now: NOW, trust });
    // A valid signature of whoever holds the key: the credential is genuine, its name is not proven.
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.signer).toMatchObject({ method: 'did:key', id: didKey.controller, claimedName: 'University of Oxford' });
    expect(report.signer?.known).toBeUndefined();
    expect(report.signer?.host).toBeUndefined();
    expect(report.signer?.messages.map((m) => m.text)).toEqual([
      'Signed with a self-asserted key (did:key), not tied to any organisation.',
      'Says it is University of Oxford.',
    ]);
    expect(report.signer?.messages.map((m) => m.id)).toEqual(['verify.signer.didKey', 'verify.issuer.says']);
    const trustCheck = check(report, 'issuer-trust');
    expect(trustCheck?.status).toBe('warning');
    expect(trustCheck?.message).toBe(
      'Not on any configured list (DCC Community Registry). The name the credential gives its issuer (University of Oxford) is its own claim.',
    );
    // The only sentences naming Oxford say that it is a claim.
    for (const c of report.checks) {
      if (c.message.includes('Oxford')) expect(c.message).toContain('(University of Oxford) is its own claim');
    }
    expect(check(report, 'proof')?.message).toBe('The signature matches: the credential has not been changed since it was signed.');
    const text = formatReport(report);
    expect(text).toContain('Signer: Signed with a self-asserted key (did:key), not tied to any organisation. Says it is University of Oxford.');
    expect(text).toContain('! Known issuer:');
    expectCatalogued(report);
  });

  it('with the real DCC list of registries and none of them reachable: each is named, the reasons are in the details', async () => {
    const trust = createTrustRegistry({ lists: [{ file: path.join(TRUST_FIXTURES, 'dcc-known-did-registries.json') }], fetch: mapFetch({}) });
    const report = await verify(await didKey.sign(badge(didKey.controller, 'University of Oxford')), { now: NOW, trust });
    const c = check(report, 'issuer-trust');
    expect(c?.status).toBe('warning');
    expect(c?.message).toBe(
      'Not confirmed: none of the configured lists could be checked. 9 lists could not be checked (Credential Engine Issuer Registry, ' +
        'Credential Engine Sandbox Issuer Registry, DCC Member Registry, Test DCC Member Registry, OpenSALT Test Issuer Registry, ' +
        'DCC Sandbox Registry, DCC Community Registry, MSP Registry); the details say why. ' +
        'The name the credential gives its issuer (University of Oxford) is its own claim.',
    );
    expect(c?.details).toHaveLength(9);
    expect(c?.details?.every((d) => d.status === 'unknown' && d.message.includes('HTTP 404'))).toBe(true);
    expect(report.verified).toBe(true);
  });

  it('with no trust list configured, the warning says so', async () => {
    const report = await verify(await didKey.sign(badge(didKey.controller, 'University of Oxford')), { now: NOW });
    expect(check(report, 'issuer-trust')).toMatchObject({
      status: 'warning',
      message: 'Not on any configured list: no trust list is configured. The name the credential gives its issuer (University of Oxford) is its own claim.',
    });
    expect(report.verified).toBe(true);
  });

  it('a did:key that a list names is shown with the list\'s name for it', async () => {
    const file = listFile({ name: 'Test list', issuers: [{ id: didKey.controller, name: 'Key College' }] });
    const report = await verify(await didKey.sign(badge(didKey.controller, 'University of Oxford')), { now: NOW, trust: createTrustRegistry({ lists: [{ file }] }) });
    expect(report.signer?.known).toMatchObject({ name: 'Key College', list: 'Test list', matchedBy: 'id', listFormat: 'microcred' });
    expect(report.signer?.messages.map((m) => m.text)).toEqual(['Signed with a key (did:key) that Test list lists for Key College.']);
    expect(check(report, 'issuer-trust')).toMatchObject({ status: 'pass', message: 'On Test list: Key College.' });
  });
});

describe('a did:web issuer', () => {
  it('on the real DCC Community Registry (dcc-legacy format): shown by the registry\'s name, signed at its host', async () => {
    const signed = await school.sign(badge(LISTED_DID_WEB, 'A Name The Issuer Chose'));
    const trust = createTrustRegistry({ lists: [{ file: COMMUNITY, name: 'DCC Community Registry' }] });
    const report = await verify(signed, { resolver: resolver(), fetch: mapFetch({}), now: NOW, trust });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.signer).toMatchObject({
      method: 'did:web',
      id: LISTED_DID_WEB,
      host: 'credentials.myschool.ca',
      claimedName: 'A Name The Issuer Chose',
      known: { name: 'My School', list: 'DCC Community Registry', listFormat: 'dcc-registry', matchedBy: 'id', url: 'https://some.domain.ca', location: 'Ancaster, ON, Canada' },
    });
    expect(report.signer?.messages.map((m) => m.text)).toEqual([
      'Signed with a key published at credentials.myschool.ca.',
      'On DCC Community Registry: My School.',
    ]);
    expect(check(report, 'issuer-trust')).toMatchObject({ status: 'pass', message: 'On DCC Community Registry: My School.' });
    expect(check(report, 'issuer-trust')?.details).toEqual([
      expect.objectContaining({ path: COMMUNITY, status: 'pass', message: 'On DCC Community Registry: My School.' }),
    ]);
    expect(check(report, 'issuer-key')?.message).toBe(
      `The signing key is the issuer's: the key list published for ${LISTED_DID_WEB} names it as a key for issuing credentials.`,
    );
    expectCatalogued(report);
  });

  it('a DCC registry without a configured name is named by its source', async () => {
    const report = await verify(await school.sign(badge(LISTED_DID_WEB, 'X')), {
      resolver: resolver(),
      fetch: mapFetch({}),
      now: NOW,
      trust: createTrustRegistry({ lists: [{ file: COMMUNITY }] }),
    });
    expect(report.signer?.known?.list).toBe(COMMUNITY);
  });

  it('on a microcred list by domain: every did:web on that host matches, a subdomain or parent domain does not', async () => {
    const signed = await uni.sign(badge(UNI_DID_WEB, 'Uni of Example'));
    const listed = (domain: string) =>
      createTrustRegistry({ lists: [{ file: listFile({ name: 'UK HE issuers', issuers: [{ domain, name: 'University of Example' }] }) }] });
    const hit = await verify(signed, { resolver: resolver(), fetch: mapFetch({}), now: NOW, trust: listed('Credentials.Example.AC.UK') });
    expect(hit.signer?.known).toMatchObject({ name: 'University of Example', list: 'UK HE issuers', matchedBy: 'domain', matched: 'credentials.example.ac.uk' });
    expect(hit.signer?.messages.map((m) => m.text)).toEqual([
      'Signed with a key published at credentials.example.ac.uk.',
      'On UK HE issuers: University of Example.',
    ]);
    for (const other of ['example.ac.uk', 'maths.credentials.example.ac.uk', 'credentials.example.ac.uk:8443']) {
      const miss = await verify(signed, { resolver: resolver(), fetch: mapFetch({}), now: NOW, trust: listed(other) });
      expect(miss.signer?.known, other).toBeUndefined();
      expect(check(miss, 'issuer-trust')?.status).toBe('warning');
      expect(miss.signer?.messages.map((m) => m.text)).toContain('Says it is Uni of Example.');
      expect(miss.verified).toBe(true);
    }
  });

  it('on a microcred list by id; an id entry matches that identifier only', async () => {
    const signed = await uni.sign(badge(UNI_DID_WEB, 'Uni of Example'));
    const file = listFile({
      name: 'UK HE issuers',
      issuers: [
        { id: 'did:web:credentials.example.ac.uk:issuers:physics', name: 'Physics' },
        { id: UNI_DID_WEB, name: 'University of Example, Mathematics', url: 'https://www.example.ac.uk/maths' },
      ],
    });
    const report = await verify(signed, { resolver: resolver(), fetch: mapFetch({}), now: NOW, trust: createTrustRegistry({ lists: [{ file }] }) });
    expect(report.signer?.known).toMatchObject({ name: 'University of Example, Mathematics', matchedBy: 'id', url: 'https://www.example.ac.uk/maths' });
  });

  it('the first list that has the issuer is shown; the others are named', async () => {
    const a = listFile({ name: 'List A', issuers: [{ domain: 'credentials.example.ac.uk', name: 'Example (A)' }] });
    const b = listFile({ name: 'List B', issuers: [{ id: UNI_DID_WEB, name: 'Example (B)' }] });
    const report = await verify(await uni.sign(badge(UNI_DID_WEB, 'Uni')), {
      resolver: resolver(),
      fetch: mapFetch({}),
      now: NOW,
      trust: createTrustRegistry({ lists: [{ file: a }, { file: b }] }),
    });
    expect(report.signer?.known?.name).toBe('Example (A)');
    expect(check(report, 'issuer-trust')?.message).toBe('On List A: Example (A). Also on List B.');
  });

  it('a credential naming a listed issuer but signed with another key: nothing is looked up, no signer is reported', async () => {
    const impostor = await createTestIssuer('did:key', 14);
    const signed = await impostor.sign(badge(LISTED_DID_WEB, 'My School'));
    let lookups = 0;
    const trust = { lookup: async () => ((lookups += 1), { matches: [], lists: [] }), refresh: async () => [] };
    const report = await verify(signed, { resolver: resolver(), fetch: mapFetch({}), now: NOW, trust });
    expect(check(report, 'issuer-key')?.status).toBe('fail');
    expect(check(report, 'issuer-trust')).toMatchObject({ status: 'not-applicable' });
    expect(report.signer).toBeUndefined();
    expect(lookups).toBe(0);
    expect(formatReport(report)).toContain("Signer: Not established: no valid signature made with the issuer's key was found.");
  });
});

describe('the issuers this service hosts', () => {
  it('are known through the seam the service passes in, before any list', async () => {
    const file = listFile({ name: 'Other list', issuers: [{ id: UNI_DID_WEB, name: 'Listed elsewhere' }] });
    const asked: string[] = [];
    const trust = createTrustRegistry({
      lists: [{ file }],
      hosted: { name: 'microcred at credentials.example.ac.uk', find: async (id) => (asked.push(id), id === UNI_DID_WEB ? { name: 'University of Example' } : undefined) },
    });
    const report = await verify(await uni.sign(badge(UNI_DID_WEB, 'Uni')), { resolver: resolver(), fetch: mapFetch({}), now: NOW, trust });
    expect(asked).toEqual([UNI_DID_WEB]);
    expect(report.signer?.known).toMatchObject({ name: 'University of Example', list: 'microcred at credentials.example.ac.uk', listFormat: 'hosted' });
    expect(check(report, 'issuer-trust')?.message).toBe('On microcred at credentials.example.ac.uk: University of Example. Also on Other list.');
  });

  it('a seam that throws is reported as a list that could not be checked, not as "not listed" silently', async () => {
    const trust = createTrustRegistry({ hosted: { find: () => Promise.reject(new Error('database unavailable')) } });
    const report = await verify(await uni.sign(badge(UNI_DID_WEB, 'Uni')), { resolver: resolver(), fetch: mapFetch({}), now: NOW, trust });
    const c = check(report, 'issuer-trust');
    expect(c?.status).toBe('warning');
    expect(c?.message).toContain('The list the issuers this service hosts could not be checked: database unavailable.');
    expect(c?.details).toEqual([expect.objectContaining({ path: 'hosted', status: 'unknown' })]);
    expect(report.verified).toBe(true);
  });
});

describe('a credential that cannot be revoked', () => {
  it('no credentialStatus: a warning saying it cannot be revoked (still valid)', async () => {
    const report = await verify(await uni.sign(badge(UNI_DID_WEB, 'Uni')), { resolver: resolver(), fetch: mapFetch({}), now: NOW });
    expect(check(report, 'status')).toMatchObject({
      status: 'warning',
      message: 'The credential cannot be revoked: it has no status information (credentialStatus), so the issuer cannot withdraw it.',
      messages: [expect.objectContaining({ id: 'verify.status.none' })],
    });
    expect(report.verified).toBe(true);
  });

  it('a suspension entry only: the entry is checked and the warning added', async () => {
    const LIST = 'https://credentials.example.ac.uk/status/1';
    const list = await uni.sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: LIST,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: UNI_DID_WEB,
      validFrom: '2025-01-01T00:00:00Z',
      credentialSubject: { id: `${LIST}#list`, type: 'BitstringStatusList', statusPurpose: 'suspension', encodedList: await encodeStatusList(createStatusList()) },
    });
    const entry = { id: `${LIST}#5`, type: 'BitstringStatusListEntry', statusPurpose: 'suspension', statusListIndex: '5', statusListCredential: LIST };
    const report = await verify(await uni.sign(badge(UNI_DID_WEB, 'Uni', { credentialStatus: entry })), { resolver: resolver(), fetch: mapFetch({ [LIST]: list }), now: NOW });
    const status = check(report, 'status');
    expect(status?.status).toBe('warning');
    expect(status?.message).toContain('has not suspended');
    expect(status?.message).toContain('The credential cannot be revoked: none of its status entries is for revocation.');
    expect(status?.details?.[0]?.status).toBe('pass');
    // With a revocation entry there is no such warning.
    const both = await verify(
      await uni.sign(badge(UNI_DID_WEB, 'Uni', { credentialStatus: [entry, { ...entry, id: `${LIST}#6`, statusPurpose: 'revocation', statusListIndex: '6' }] })),
      { resolver: resolver(), fetch: mapFetch({ [LIST]: { ...list } }), now: NOW },
    );
    expect(check(both, 'status')?.message).not.toContain('cannot be revoked');
  });
});

describe('endorsements name their endorser as proven', () => {
  it('an endorser that is on no list is named as it names itself', async () => {
    const signed = await uni.sign(badge(UNI_DID_WEB, 'Uni', { endorsement: [fixture('1edtech-validator-endorsement-valid.json')] }));
    const { controllerDocsFor } = await import('./verify-helpers.js');
    const docs = controllerDocsFor(signed);
    docs.set(UNI_DID_WEB, uni.controllerDocument);
    const report = await verify(signed, { resolver: mapResolver(docs), fetch: mapFetch({}), now: NOW });
    expect(check(report, 'endorsements')?.message).toBe(
      'The endorsement that says it is by State Department of Education (endorsement[0]) is genuine and in force.',
    );
    expect(report.endorsements?.[0]?.signer).toMatchObject({ method: 'https', claimedName: 'State Department of Education' });
  });
});

describe('a remote list served on 127.0.0.1 through the guarded fetch', () => {
  let server: Server;
  let base: string;
  let up = true;
  let served = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      served += 1;
      if (!up) {
        res.writeHead(502);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60, must-revalidate' });
      res.end(JSON.stringify({ name: 'UK HE issuers', issuers: [{ domain: 'credentials.example.ac.uk', name: 'University of Example' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('shows the listed name, keeps the list while fresh, and once it cannot be fetched says so (still valid)', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const url = `${base}/uk.json`;
    const trust = createTrustRegistry({ lists: [{ url }], fetch: createGuardedFetch({ allowHttp: true, allowPrivateNetwork: true }), clock: () => now });
    const signed = await uni.sign(badge(UNI_DID_WEB, 'Claimed Name'));
    const options = { resolver: resolver(), fetch: mapFetch({}), now: NOW, trust };
    const ok = await verify(signed, options);
    expect(ok.signer?.known).toMatchObject({ name: 'University of Example', list: 'UK HE issuers', listSource: url });
    expect(check(ok, 'issuer-trust')?.message).toBe('On UK HE issuers: University of Example.');
    await verify(signed, options);
    expect(served).toBe(1);
    up = false;
    now += 61_000;
    const down = await verify(signed, options);
    expect(served).toBe(2);
    const c = check(down, 'issuer-trust');
    expect(c?.status).toBe('warning');
    expect(c?.message).toBe(
      `Not confirmed: none of the configured lists could be checked. The list ${url} could not be checked: Could not fetch ${url}: the server answered HTTP 502. The name the credential gives its issuer (Claimed Name) is its own claim.`,
    );
    expect(c?.details).toEqual([expect.objectContaining({ path: url, status: 'unknown' })]);
    expect(down.signer?.known).toBeUndefined();
    expect(down.signer?.messages.map((m) => m.text)).toEqual(['Signed with a key published at credentials.example.ac.uk.', 'Says it is Claimed Name.']);
    expect(down.verified).toBe(true);
    up = true;
    now += 1_000;
    expect((await verify(signed, options)).signer?.known?.name).toBe('University of Example');
  });
});
