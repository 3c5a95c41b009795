/**
 * Trust list documents and configuration: the DCC registry formats (real documents copied with provenance into
 * test/fixtures/trust), microcred's simple list and its JSON Schema, how entries match issuer identifiers, the clear
 * errors for documents that are not trust lists, and MICROCRED_TRUST_LISTS.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MicrocredError } from '../src/errors.js';
import { parseTrustList } from '../src/trust/parse.js';
import { createTrustRegistry } from '../src/trust/registry.js';
import { trustListsFromEnv } from '../src/trust/config.js';
import { issuerHost, normaliseDomain } from '../src/trust/host.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'trust');
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'microcred-trust-'));
let n = 0;
function file(content: string | object): string {
  const f = path.join(tmp, `list-${n++}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}
function errorOf(fn: () => unknown): MicrocredError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MicrocredError);
    return e as MicrocredError;
  }
  throw new Error('expected an error');
}

describe('the fixtures', () => {
  it('are byte-identical to the upstream copies (SHA-256 listed in PROVENANCE.md)', () => {
    const provenance = read('PROVENANCE.md');
    for (const f of ['dcc-known-did-registries.json', 'dcc-community-registry.json', 'dcc-test-registry-entity-configuration.jwt', 'dcc-test-registry-subordinate-oneuni.jwt']) {
      const sha = createHash('sha256').update(readFileSync(path.join(DIR, f))).digest('hex');
      expect(provenance, f).toContain(`| \`${f}\` |`);
      expect(provenance, f).toContain(sha);
    }
  });
});

describe('DCC formats', () => {
  it('the real DCC Community Registry reads as a dcc-registry keyed by DID', () => {
    const list = parseTrustList(read('dcc-community-registry.json'), 'community');
    expect(list.format).toBe('dcc-registry');
    if (list.format !== 'dcc-registry') return;
    expect(list.ids.size).toBe(11);
    expect(list.ids.get('did:web:credentials.myschool.ca')).toEqual({
      matched: 'did:web:credentials.myschool.ca',
      name: 'My School',
      location: 'Ancaster, ON, Canada',
      url: 'https://some.domain.ca',
    });
    expect(list.domains.size).toBe(0);
  });

  it('the real DCC list of registries reads as nine registries of two types', () => {
    const list = parseTrustList(read('dcc-known-did-registries.json'), 'known');
    expect(list.format).toBe('dcc-known-registries');
    if (list.format !== 'dcc-known-registries') return;
    expect(list.registries).toHaveLength(9);
    expect(list.registries.filter((r) => r.type === 'oidf').map((r) => r.name)).toEqual([
      'Credential Engine Issuer Registry',
      'Credential Engine Sandbox Issuer Registry',
      'DCC Member Registry',
      'Test DCC Member Registry',
      'OpenSALT Test Issuer Registry',
    ]);
    expect(list.registries.find((r) => r.name === 'DCC Community Registry')).toEqual({
      name: 'DCC Community Registry',
      type: 'dcc-legacy',
      url: 'https://digitalcredentials.github.io/community-registry/registry.json',
    });
  });

  it('a DCC registry entry without a name, or a registry entry without its url, is a clear error', () => {
    const e = errorOf(() => parseTrustList(JSON.stringify({ registry: { 'did:key:z6Mkabc': { url: 'https://x.example' } } }), 'r.json'));
    expect(e.code).toBe('TRUST_LIST_INVALID');
    expect(e.message).toContain('The trust list r.json is not a valid DCC issuer registry');
    expect(e.message).toContain('$.registry["did:key:z6Mkabc"].name: expected a value (this field is required), found nothing');
    const k = errorOf(() => parseTrustList(JSON.stringify([{ name: 'X', type: 'dcc-legacy' }]), 'k.json'));
    expect(k.message).toContain('$[0].url: expected a value (this field is required)');
    const keys = errorOf(() => parseTrustList(JSON.stringify({ registry: { 'https://not-a-did.example': { name: 'X' } } }), 'r.json'));
    expect(keys.message).toContain('issuers keyed by their DID');
  });
});

describe('microcred trust lists', () => {
  const good = {
    name: 'UK HE issuers',
    url: 'https://trust.example.ac.uk/about',
    issuers: [
      { id: 'did:web:credentials.example.ac.uk', name: 'University of Example' },
      { domain: 'badges.college.example', name: 'Example College', url: 'https://www.college.example', logo: 'https://www.college.example/logo.png' },
      { id: 'https://issuer.example/profile', name: 'Example Awarding Body' },
      { id: 'did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W', name: 'Key Issuer', location: 'Cardiff' },
    ],
  };

  it('are read and matched: ids exactly, domains by exact host of did:web and https identifiers', async () => {
    const trust = createTrustRegistry({ lists: [{ file: file(good) }] });
    const name = async (id: string) => (await trust.lookup(id)).matches[0]?.name;
    expect(await name('did:web:credentials.example.ac.uk')).toBe('University of Example');
    // An id entry is that identifier only.
    expect(await name('did:web:credentials.example.ac.uk:issuers:1')).toBeUndefined();
    // A domain entry: any did:web or https identifier on exactly that host.
    expect(await name('did:web:badges.college.example')).toBe('Example College');
    expect(await name('did:web:badges.college.example:issuers:art')).toBe('Example College');
    expect(await name('https://badges.college.example/issuers/1')).toBe('Example College');
    expect(await name('https://BADGES.college.example/issuers/1')).toBe('Example College');
    expect(await name('did:web:college.example')).toBeUndefined();
    expect(await name('did:web:www.badges.college.example')).toBeUndefined();
    expect(await name('did:web:badges.college.example%3A8443')).toBeUndefined();
    // Plain http identifiers are not published securely: no domain matches them.
    expect(await name('http://badges.college.example/issuers/1')).toBeUndefined();
    // A did:key's host is nothing, whatever the list says of domains.
    expect(await name('did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W')).toBe('Key Issuer');
    expect(await name('https://issuer.example/profile')).toBe('Example Awarding Body');
    const match = (await trust.lookup('https://badges.college.example/x')).matches[0];
    expect(match).toMatchObject({ list: 'UK HE issuers', matchedBy: 'domain', matched: 'badges.college.example', logo: 'https://www.college.example/logo.png' });
  });

  it('a port in a domain entry matches that port only', async () => {
    const trust = createTrustRegistry({ lists: [{ file: file({ name: 'L', issuers: [{ domain: 'example.com:8443', name: 'Port' }] }) }] });
    expect((await trust.lookup('did:web:example.com%3A8443')).matches[0]?.name).toBe('Port');
    expect((await trust.lookup('did:web:example.com')).matches).toEqual([]);
  });

  it.each([
    ['not JSON', '{"name": "x", issuers: []}', ['is not valid JSON']],
    ['not a trust list at all', { hello: 'world' }, ['is not a trust list microcred reads', 'found an object with "hello"', 'a DCC issuer registry']],
    ['an entry with both id and domain', { name: 'L', issuers: [{ id: 'did:web:a.example', domain: 'a.example', name: 'A' }] }, ['$.issuers[0]: expected exactly one of "id"']],
    ['an entry with neither', { name: 'L', issuers: [{ name: 'A' }] }, ['$.issuers[0]: expected exactly one of "id"']],
    ['an entry without a name', { name: 'L', issuers: [{ id: 'did:web:a.example' }] }, ['$.issuers[0].name: expected a value (this field is required), found nothing']],
    ['a domain that is a URL', { name: 'L', issuers: [{ domain: 'https://a.example', name: 'A' }] }, ['$.issuers[0].domain: expected a host name such as credentials.example.ac.uk, found "https://a.example"']],
    ['an id that is not a DID or https URL', { name: 'L', issuers: [{ id: 'urn:uuid:1', name: 'A' }] }, ['$.issuers[0].id: expected a DID (did:web:…, did:key:…) or an https URL']],
    ['an unknown field', { name: 'L', issuers: [{ id: 'did:web:a.example', name: 'A', trusted: true }] }, ['$.issuers[0].trusted: expected no such field']],
    ['a name with a line break', { name: 'L', issuers: [{ id: 'did:web:a.example', name: 'A\nB' }] }, ['$.issuers[0].name: expected a single line']],
    ['the same id twice', { name: 'L', issuers: [{ id: 'did:web:a.example', name: 'A' }, { id: 'did:web:a.example', name: 'B' }] }, ['$.issuers[1].id: expected an id no other entry has']],
    ['the same domain twice, differently written', { name: 'L', issuers: [{ domain: 'A.example', name: 'A' }, { domain: 'a.example', name: 'B' }] }, ['$.issuers[1].domain: expected a domain no other entry has, found "a.example", listed before']],
    ['no list name', { issuers: [] }, ['$.name: expected a value']],
  ])('%s is a TRUST_LIST_INVALID error naming the file and the problem', (_what, content, parts) => {
    const f = file(content);
    const e = errorOf(() => createTrustRegistry({ lists: [{ file: f }] }));
    expect(e.code).toBe('TRUST_LIST_INVALID');
    expect(e.message).toContain(f);
    for (const p of parts) expect(e.message).toContain(p);
  });

  it('a missing file, a JWT in a file and a bad configuration entry are clear errors too', () => {
    expect(errorOf(() => createTrustRegistry({ lists: [{ file: path.join(tmp, 'nope.json') }] })).message).toContain('cannot be read');
    const jwt = file(read('dcc-test-registry-entity-configuration.jwt'));
    expect(errorOf(() => createTrustRegistry({ lists: [{ file: jwt }] })).message).toContain('configured by the URL of its entity configuration');
    expect(errorOf(() => createTrustRegistry({ lists: [{ file: 'a', url: 'https://b' } as never] })).message).toContain('exactly one of "file" and "url"');
    expect(errorOf(() => createTrustRegistry({ lists: [{ url: 'ftp://lists.example/x' }] })).message).toContain('must be an https URL');
  });
});

describe('host names', () => {
  it('follow the did:web method and the URL parser', () => {
    expect(issuerHost('did:web:credentials.example.ac.uk:issuers:1')).toBe('credentials.example.ac.uk');
    expect(issuerHost('did:web:Example.COM')).toBe('example.com');
    expect(issuerHost('did:web:example.com%3A443')).toBe('example.com');
    expect(issuerHost('did:web:example.com%3A8443')).toBe('example.com:8443');
    expect(issuerHost('https://issuer.example:443/x')).toBe('issuer.example');
    expect(issuerHost('did:key:z6Mkabc')).toBeUndefined();
    expect(issuerHost('did:web:bad host')).toBeUndefined();
    expect(normaliseDomain('Example.AC.UK')).toBe('example.ac.uk');
    expect(normaliseDomain('https://x')).toBeUndefined();
  });
});

describe('MICROCRED_TRUST_LISTS', () => {
  it('is a comma-separated list of file paths and https URLs, in order', () => {
    expect(trustListsFromEnv({}, '/srv')).toEqual([]);
    expect(trustListsFromEnv({ MICROCRED_TRUST_LISTS: ' ' }, '/srv')).toEqual([]);
    expect(
      trustListsFromEnv({ MICROCRED_TRUST_LISTS: 'trust.json, /etc/microcred/uk.json,,https://digitalcredentials.github.io/dcc-known-registries/known-did-registries.json' }, '/srv'),
    ).toEqual([
      { file: '/srv/trust.json' },
      { file: '/etc/microcred/uk.json' },
      { url: 'https://digitalcredentials.github.io/dcc-known-registries/known-did-registries.json' },
    ]);
  });

  it('refuses other schemes, naming the variable and the item', () => {
    const e = errorOf(() => trustListsFromEnv({ MICROCRED_TRUST_LISTS: 'trust.json,ftp://lists.example/uk.json' }));
    expect(e.code).toBe('TRUST_LIST_INVALID');
    expect(e.message).toBe('MICROCRED_TRUST_LISTS: "ftp://lists.example/uk.json" is neither a file path nor an https URL.');
  });

  it('feeds createTrustRegistry', async () => {
    const f = file({ name: 'From env', issuers: [{ domain: 'a.example', name: 'A' }] });
    const trust = createTrustRegistry({ lists: trustListsFromEnv({ MICROCRED_TRUST_LISTS: f }) });
    expect((await trust.lookup('did:web:a.example')).matches[0]).toMatchObject({ name: 'A', list: 'From env' });
  });
});

describe('the README', () => {
  const README = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');

  it('shows a microcred trust list that is valid and matches as it says', async () => {
    const m = /<!-- trust-list-example -->\s*```json\n([\s\S]*?)```/.exec(README);
    expect(m, 'README has the trust-list-example marker').not.toBeNull();
    const text = m![1]!.replace(/^ {3}/gm, '');
    expect(parseTrustList(text, 'README').format).toBe('microcred');
    const trust = createTrustRegistry({ lists: [{ file: file(text) }] });
    expect((await trust.lookup('did:web:credentials.example.ac.uk:issuers:maths')).matches[0]?.name).toBe('University of Example');
    expect((await trust.lookup('did:web:example.ac.uk')).matches).toEqual([]);
  });

  it('shows a MICROCRED_TRUST_LISTS value that reads as it says', () => {
    const m = /^\s*MICROCRED_TRUST_LISTS=(\S+)$/m.exec(README);
    expect(m).not.toBeNull();
    expect(trustListsFromEnv({ MICROCRED_TRUST_LISTS: m![1] })).toEqual([
      { file: '/etc/microcred/trust.json' },
      { url: 'https://digitalcredentials.github.io/dcc-known-registries/known-did-registries.json' },
    ]);
  });
});
