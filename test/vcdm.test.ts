/**
 * The VC Data Model rules (src/vcdm): for every rule a refused example and an accepted one. The W3C conformance
 * suite's own input documents come first (test/fixtures/vcdm, with provenance); microcred's own examples cover the
 * rules the suite has no fixture for. Then: real credentials (the OB 3.0 and W3C examples the verifier tests use,
 * microcred's own output) conform, and a document with several problems gets all of them reported at once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCredential, checkPresentation, type ConformanceReport } from '../src/vcdm/conformance.js';
import { checkJsonLd } from '../src/vcdm/jsonld.js';
import { DATA_MODEL_RULES } from '../src/vcdm/rules.js';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { buildCredential } from '../src/credential/annex1.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUITE = JSON.parse(readFileSync(path.join(HERE, 'fixtures', 'vcdm', 'w3c-vc-data-model-2.0-test-suite.json'), 'utf8')) as {
  fixtures: Record<string, { document: Record<string, unknown> }>;
};
const V2 = 'https://www.w3.org/ns/credentials/v2';
const V1 = 'https://www.w3.org/2018/credentials/v1';
const TEST_ISSUER = 'did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj';
const documentLoader = createDocumentLoader();

/** The suite's createRequestBody: the issuer under test where the fixture names none (see PROVENANCE.md). */
function asSent(name: string): Record<string, unknown> {
  const doc = structuredClone(SUITE.fixtures[name]!.document);
  if (!name.startsWith('presentation-')) {
    if (!('issuer' in doc)) doc.issuer = TEST_ISSUER;
    else if (doc.issuer && typeof doc.issuer === 'object' && !('id' in doc.issuer)) (doc.issuer as Record<string, unknown>).id = TEST_ISSUER;
    if (doc.validFrom === 'PAST DATE') Object.assign(doc, { validFrom: '2024-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' });
    if (doc.validFrom === 'FUTURE DATE') Object.assign(doc, { validFrom: '2026-01-01T00:00:00Z', validUntil: '2024-01-01T00:00:00Z' });
  }
  return doc;
}

/** A presentation by its name (suite fixtures) or its type (the examples below); else a credential. */
function check(doc: unknown, name = ''): ConformanceReport {
  const d = doc as { type?: unknown };
  const types = Array.isArray(d?.type) ? d.type : [d?.type];
  const presentation = name.startsWith('presentation-') || types.some((t) => typeof t === 'string' && t.includes('Presentation'));
  return presentation ? checkPresentation(doc) : checkCredential(doc);
}

const errors = (r: ConformanceReport) => r.problems.filter((p) => p.severity === 'error');

// [fixture, rule the document breaks (null: accepted), JSON path of the problem]
const documentRules: [string, string | null, string?][] = [
  ['credential-context-combo1-ok.json', null],
  ['credential-context-combo2-ok.json', null],
  ['credential-no-context-fail.json', 'vc-2.0/4.3-context', '$["@context"]'],
  ['credential-missing-base-context-fail.json', 'vc-2.0/4.3-context', '$["@context"][0]'],
  ['credential-context-combo3-fail.json', 'vc-2.0/4.3-context', '$["@context"][1]'],
  ['credential-context-combo4-fail.json', 'vc-2.0/4.3-context', '$["@context"][1]'],
  ['credential-id-other-ok.json', null],
  ['credential-single-id-ok.json', null],
  ['credential-id-nonidentifier-fail.json', 'vc-2.0/4.4-id', '$.id'],
  ['credential-not-url-id-fail.json', 'vc-2.0/4.4-id', '$.id'],
  ['credential-multi-id-fail.json', 'vc-2.0/4.4-id', '$.id'],
  ['credential-id-subject-multi-fail.json', 'vc-2.0/4.4-id', '$.credentialSubject.id'],
  ['credential-optional-type-ok.json', null],
  ['credential-type-mapped-url-ok.json', null],
  ['credential-no-type-fail.json', 'vc-2.0/4.5-credential-type', '$.type'],
  ['credential-missing-required-type-fail.json', 'vc-2.0/4.5-credential-type', '$.type'],
  ['credential-status-type-nonurl-fail.json', 'vc-2.0/4.5-type', '$.credentialStatus.type'],
  ['names-and-descriptions/credential-multi-language-name-ok.json', null],
  ['names-and-descriptions/credential-description-language-direction-en-ok.json', null],
  ['names-and-descriptions/issuer-multi-language-name-ok.json', null],
  ['names-and-descriptions/credential-name-extra-prop-en-fail.json', 'vc-2.0/11.1-language-value', '$.name.url'],
  ['names-and-descriptions/credential-description-extra-prop-en-fail.json', 'vc-2.0/11.1-language-value', '$.description.url'],
  ['names-and-descriptions/issuer-description-extra-prop-en-fail.json', 'vc-2.0/11.1-language-value', '$.issuer.description.url'],
  ['credential-issuer-object-ok.json', null],
  ['credential-issuer-null-fail.json', 'vc-2.0/4.7-issuer', '$.issuer'],
  ['credential-issuer-no-url-fail.json', 'vc-2.0/4.7-issuer', '$.issuer'],
  ['credential-issuer-object-id-null-fail.json', 'vc-2.0/4.7-issuer', '$.issuer.id'],
  ['credential-issuer-object-id-no-url-fail.json', 'vc-2.0/4.7-issuer', '$.issuer.id'],
  ['credential-subject-multiple-ok.json', null],
  ['credential-subject-no-claims-fail.json', 'vc-2.0/4.8-credential-subject', '$.credentialSubject'],
  ['credential-subject-multiple-empty-fail.json', 'vc-2.0/4.8-credential-subject', '$.credentialSubject[1]'],
  ['credential-validfrom-ms-ok.json', null],
  ['credential-validfrom-tz-ok.json', null],
  ['credential-validuntil-tz-ok.json', null],
  ['credential-validUntil-validFrom-ok.json', null],
  ['credential-validfrom-invalid-fail.json', 'vc-2.0/4.9-valid-from', '$.validFrom'],
  ['credential-validuntil-invalid-fail.json', 'vc-2.0/4.9-valid-until', '$.validUntil'],
  ['credential-validUntil-validFrom-fail.json', 'vc-2.0/4.9-validity-order', '$.validUntil'],
  ['credential-status-ok.json', null],
  ['credential-status-missing-id-ok.json', null],
  ['credential-status-missing-type-fail.json', 'vc-2.0/4.10-credential-status', '$.credentialStatus.type'],
  ['credential-status-multiple-id-fail.json', 'vc-2.0/4.4-id', '$.credentialStatus.id'],
  ['credential-status-nonurl-id-fail.json', 'vc-2.0/4.4-id', '$.credentialStatus.id'],
  ['credential-schema-type-ok.json', null],
  ['credential-schemas-ok.json', null],
  ['credential-schema-no-type-fail.json', 'vc-2.0/4.11-credential-schema', '$.credentialSchema.type'],
  ['credential-schema-no-id-fail.json', 'vc-2.0/4.11-credential-schema', '$.credentialSchema.id'],
  ['credential-schema-non-url-id-fail.json', 'vc-2.0/4.11-credential-schema', '$.credentialSchema.id'],
  ['credential-refresh-type-ok.json', null],
  ['credential-refreshs-ok.json', null],
  ['credential-refresh-no-type-fail.json', 'vc-2.0/5.4-refresh-service', '$.refreshService.type'],
  ['credential-termsofuse-ok.json', null],
  ['credential-termsofuse-id-ok.json', null],
  ['credential-termsofuse-missing-type-fail.json', 'vc-2.0/5.5-terms-of-use', '$.termsOfUse.type'],
  ['credential-evidence-ok.json', null],
  ['credential-evidences-ok.json', null],
  ['credential-evidence-missing-type-fail.json', 'vc-2.0/5.6-evidence', '$.evidence.type'],
  ['presentation-ok.json', null],
  ['presentation-optional-type-ok.json', null],
  ['presentation-enveloped-vc-ok.json', null],
  ['presentation-no-context-fail.json', 'vc-2.0/4.3-context', '$["@context"]'],
  ['presentation-missing-base-context-fail.json', 'vc-2.0/4.3-context', '$["@context"][0]'],
  ['presentation-no-type-fail.json', 'vc-2.0/4.5-presentation-type', '$.type'],
  ['presentation-missing-required-type-fail.json', 'vc-2.0/4.5-presentation-type', '$.type'],
  ['presentation-vc-missing-required-type-fail.json', 'vc-2.0/4.5-credential-type', '$.verifiableCredential[0].type'],
  ['presentation-enveloped-vc-missing-required-type-fail.json', 'vc-2.0/4.13.1-enveloped-credential', '$.verifiableCredential[0].type'],
];

// Refused only by a JSON-LD processor: the document rules pass them, the safe-mode expansion does not.
const jsonLdRules: [string, string, string][] = [
  ['credential-type-unmapped-fail.json', 'vc-2.0/5.2-terms-defined', '$.type[1]'],
  ['credential-type-mapped-nonurl-fail.json', 'vc-2.0/4.3-context-processable', '$["@context"]'],
  ['credential-redef-type-fail.json', 'vc-2.0/4.3-context-processable', '$["@context"]'],
  ['credential-redef-type2-fail.json', 'vc-2.0/4.3-context-processable', '$["@context"]'],
];

describe('the W3C conformance suite\'s input documents', () => {
  it.each(documentRules)('%s → %s', (name, rule, at) => {
    const report = check(asSent(name), name);
    if (rule === null) {
      expect(report.problems).toEqual([]);
      expect(report.conforming).toBe(true);
    } else {
      expect(report.conforming).toBe(false);
      expect(errors(report).map((p) => [p.rule, p.path])).toContainEqual([rule, at]);
    }
  });

  it.each(jsonLdRules)('%s → %s (JSON-LD)', async (name, rule, at) => {
    const doc = asSent(name);
    expect(checkCredential(doc).problems).toEqual([]);
    const problems = await checkJsonLd(doc, { documentLoader });
    expect(problems.map((p) => [p.rule, p.path])).toEqual([[rule, at]]);
    expect(problems[0]!.message).toContain(at);
  });

  it('every accepted fixture also passes JSON-LD safe-mode expansion', async () => {
    for (const [name, rule] of documentRules.filter(([, r]) => r === null)) {
      expect(await checkJsonLd(asSent(name), { documentLoader }), name).toEqual([]);
      expect(rule).toBeNull();
    }
  });

  it('every fixture of the file is used by one of the tables', () => {
    const used = new Set([...documentRules, ...jsonLdRules].map(([n]) => n));
    expect(Object.keys(SUITE.fixtures).filter((n) => !used.has(n))).toEqual([]);
  });
});

/** A small conforming VC 2.0 credential to vary (microcred's own example). */
const base = () => ({
  '@context': [V2],
  id: 'urn:uuid:0c07c1ce-57cb-41af-bef2-1b932b986873',
  type: ['VerifiableCredential'],
  issuer: { id: 'https://university.example/issuers/14', name: 'Example University' },
  validFrom: '2025-01-01T00:00:00Z',
  credentialSubject: { id: 'did:example:learner', name: 'A learner' },
});
const vp = (extra: Record<string, unknown> = {}) => ({ '@context': [V2], type: ['VerifiablePresentation'], ...extra });
const v1 = (extra: Record<string, unknown> = {}) => {
  const { validFrom: _v, ...rest } = base();
  return { ...rest, '@context': [V1], issuanceDate: '2022-01-01T00:00:00Z', ...extra };
};
const SRI = 'sha384-Ml/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU';
const MB = 'uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA';

describe("microcred's own examples, for rules the suite has no fixture for", () => {
  // [what, document, rule broken (null: conforms), path, severity]
  const cases: [string, unknown, string | null, string?, string?][] = [
    ['the base example', base(), null],
    ['@context as a single string', { ...base(), '@context': V2 }, 'vc-2.0/4.3-context', '$["@context"]'],
    ['an empty type list', { ...base(), type: [] }, 'vc-2.0/4.5-credential-type', '$.type'],
    ['a type value with a space', { ...base(), type: ['VerifiableCredential', 'Two Words'] }, 'vc-2.0/4.5-type', '$.type[1]'],
    ['a nested type that is a number', { ...base(), credentialSubject: { id: 'did:example:x', degree: { type: 7 } } }, 'vc-2.0/4.5-type', '$.credentialSubject.degree.type'],
    ['a nested id that is not a URL', { ...base(), credentialSubject: { id: 'did:example:x', degree: { id: 'degree 1' } } }, 'vc-2.0/4.4-id', '$.credentialSubject.degree.id'],
    ['name as text', { ...base(), name: 'Degree' }, null],
    ['name as a number', { ...base(), name: 42 }, 'vc-2.0/4.6-name-description', '$.name'],
    ['description as an object without @value', { ...base(), description: { text: 'x' } }, 'vc-2.0/4.6-name-description', '$.description'],
    ['issuer name as a list with a number', { ...base(), issuer: { id: 'https://u.example/i', name: ['U', 3] } }, 'vc-2.0/4.6-name-description', '$.issuer.name[1]'],
    ['@direction "up"', { ...base(), name: { '@value': 'x', '@direction': 'up' } }, 'vc-2.0/11.1-language-value', '$.name["@direction"]'],
    ['@direction "rtl"', { ...base(), name: { '@value': 'مثال', '@language': 'ar', '@direction': 'rtl' } }, null],
    ['@value that is a number', { ...base(), name: { '@value': 5, '@language': 'en' } }, 'vc-2.0/11.1-language-value', '$.name["@value"]'],
    ['a malformed language tag (a warning only)', { ...base(), name: { '@value': 'x', '@language': 'not a tag' } }, 'vc-2.0/11.1-language-tag', '$.name["@language"]', 'warning'],
    ['a language value deep in the subject', { ...base(), credentialSubject: { id: 'did:example:x', title: { '@value': 'x', extra: 1 } } }, 'vc-2.0/11.1-language-value', '$.credentialSubject.title.extra'],
    ['issuer as a list', { ...base(), issuer: ['https://a.example', 'https://b.example'] }, 'vc-2.0/4.7-issuer', '$.issuer'],
    ['issuer missing', (() => { const { issuer: _i, ...c } = base(); return c; })(), 'vc-2.0/4.7-issuer', '$.issuer'],
    ['credentialSubject missing', (() => { const { credentialSubject: _s, ...c } = base(); return c; })(), 'vc-2.0/4.8-credential-subject', '$.credentialSubject'],
    ['credentialSubject as text', { ...base(), credentialSubject: 'did:example:1234' }, 'vc-2.0/4.8-credential-subject', '$.credentialSubject'],
    ['credentialSubject as an empty list', { ...base(), credentialSubject: [] }, 'vc-2.0/4.8-credential-subject', '$.credentialSubject'],
    ['validFrom without a time zone', { ...base(), validFrom: '2025-01-01T00:00:00' }, 'vc-2.0/4.9-valid-from', '$.validFrom'],
    ['validFrom on 30 February', { ...base(), validFrom: '2025-02-30T00:00:00Z' }, 'vc-2.0/4.9-valid-from', '$.validFrom'],
    ['validFrom as a date only', { ...base(), validFrom: '2025-01-01' }, 'vc-2.0/4.9-valid-from', '$.validFrom'],
    ['validUntil with a comma', { ...base(), validUntil: '2026-01-01T00:00:00,5Z' }, 'vc-2.0/4.9-valid-until', '$.validUntil'],
    ['validFrom equal to validUntil', { ...base(), validUntil: '2025-01-01T01:00:00+01:00' }, null],
    ['credentialStatus as a list of two', { ...base(), credentialStatus: [{ type: 'BitstringStatusListEntry' }, { id: 'https://s.example/1#2', type: 'BitstringStatusListEntry' }] }, null],
    ['credentialStatus as text', { ...base(), credentialStatus: 'https://s.example/1' }, 'vc-2.0/4.10-credential-status', '$.credentialStatus'],
    ['credentialStatus as an empty list', { ...base(), credentialStatus: [] }, 'vc-2.0/4.10-credential-status', '$.credentialStatus'],
    ['evidence list with one object lacking type', { ...base(), evidence: [{ type: 'Evidence' }, { id: 'https://e.example/1' }] }, 'vc-2.0/5.6-evidence', '$.evidence[1].type'],
    ['relatedResource with digestSRI', { ...base(), relatedResource: [{ id: V2, digestSRI: SRI }] }, null],
    ['relatedResource with digestMultibase', { ...base(), relatedResource: { id: V2, digestMultibase: MB, mediaType: 'application/ld+json' } }, null],
    ['relatedResource without a digest', { ...base(), relatedResource: [{ id: V2 }] }, 'vc-2.0/5.3-related-resource', '$.relatedResource[0]'],
    ['relatedResource without id', { ...base(), relatedResource: [{ digestSRI: SRI }] }, 'vc-2.0/5.3-related-resource', '$.relatedResource[0].id'],
    ['relatedResource ids repeated', { ...base(), relatedResource: [{ id: V2, digestSRI: SRI }, { id: V2, digestMultibase: MB }] }, 'vc-2.0/5.3-related-resource', '$.relatedResource[1].id'],
    ['relatedResource digestSRI not SRI', { ...base(), relatedResource: [{ id: V2, digestSRI: 'md5:abc' }] }, 'vc-2.0/5.3-related-resource', '$.relatedResource[0].digestSRI'],
    ['renderMethod with type', { ...base(), renderMethod: { type: 'SvgRenderingTemplate', id: 'https://r.example/t.svg' } }, null],
    ['renderMethod without type', { ...base(), renderMethod: [{ id: 'https://r.example/t.svg' }] }, 'vc-2.0/5.10-reserved-extension', '$.renderMethod[0].type'],
    ['confidenceMethod without type', { ...base(), confidenceMethod: {} }, 'vc-2.0/5.10-reserved-extension', '$.confidenceMethod.type'],
    ['an embedded credential is not walked as part of this one', { ...base(), credentialSubject: { id: 'did:example:x', endorsement: [{ type: ['VerifiableCredential'], id: 'not a url' }] } }, null],
    ['proof is not walked (Data Integrity has its own rules)', { ...base(), proof: { type: 'DataIntegrityProof', id: 'not a url' } }, null],
    ['an EnvelopedVerifiableCredential object', { '@context': V2, type: 'EnvelopedVerifiableCredential', id: 'data:application/vc+jwt,eyJ.e30.sig' }, null],
    ['an EnvelopedVerifiableCredential with an https id', { '@context': V2, type: 'EnvelopedVerifiableCredential', id: 'https://x.example/vc' }, 'vc-2.0/4.13.1-enveloped-credential', '$.id'],
    ['an EnvelopedVerifiableCredential without @context', { type: 'EnvelopedVerifiableCredential', id: 'data:application/vc+jwt,eyJ.e30.sig' }, 'vc-2.0/4.13.1-enveloped-credential', '$["@context"]'],
    ['a presentation with a credential', vp({ verifiableCredential: [base()] }), null],
    ['a presentation with a credential sent as text', vp({ verifiableCredential: ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln'] }), 'vc-2.0/4.13-verifiable-credential', '$.verifiableCredential[0]'],
    ['a presentation with a credential that has no issuer', vp({ verifiableCredential: { ...base(), issuer: undefined } }), 'vc-2.0/4.7-issuer', '$.verifiableCredential.issuer'],
    ['a presentation with a holder URL', vp({ holder: 'did:example:holder' }), null],
    ['a presentation with a holder object without id', vp({ holder: { name: 'H' } }), 'vc-2.0/4.13-holder', '$.holder'],
    ['a presentation with a holder number', vp({ holder: 5 }), 'vc-2.0/4.13-holder', '$.holder'],
    ['a presentation id that is not a URL', vp({ id: 'vp 1' }), 'vc-2.0/4.4-id', '$.id'],
    ['a presentation termsOfUse without type', vp({ termsOfUse: [{ id: 'https://t.example/1' }] }), 'vc-2.0/5.5-terms-of-use', '$.termsOfUse[0].type'],
    ['an EnvelopedVerifiablePresentation', { '@context': [V2], type: 'EnvelopedVerifiablePresentation', id: 'data:application/vp+jwt,eyJ.e30.sig' }, null],
    ['an EnvelopedVerifiablePresentation with a wrong id', { '@context': [V2], type: 'EnvelopedVerifiablePresentation', id: 'urn:uuid:1' }, 'vc-2.0/4.13.2-enveloped-presentation', '$.id'],
    // VC 1.1 credentials are held to the VC 1.1 rules.
    ['a VC 1.1 credential', v1(), null],
    ['a VC 1.1 issuanceDate without a time zone (1.1 allows it)', v1({ issuanceDate: '2022-01-01T00:00:00' }), null],
    ['a VC 1.1 credential without issuanceDate', v1({ issuanceDate: undefined }), 'vc-1.1/4.6-issuance-date', '$.issuanceDate'],
    ['a VC 1.1 expirationDate that is not a date', v1({ expirationDate: 'tomorrow' }), 'vc-1.1/4.8-expiration-date', '$.expirationDate'],
    ['a VC 1.1 credentialStatus without id', v1({ credentialStatus: { type: 'StatusList2021Entry' } }), 'vc-1.1/4.9-credential-status', '$.credentialStatus.id'],
    ['a VC 1.1 credentialSchema without type', v1({ credentialSchema: { id: 'https://s.example/s.json' } }), 'vc-1.1/5.4-credential-schema', '$.credentialSchema.type'],
    ['a VC 1.1 refreshService without id', v1({ refreshService: { type: 'ManualRefreshService2018' } }), 'vc-1.1/5.6-refresh-service', '$.refreshService.id'],
    ['a VC 1.1 termsOfUse without type', v1({ termsOfUse: { id: 'https://t.example/1' } }), 'vc-1.1/5.7-terms-of-use', '$.termsOfUse.type'],
    ['a VC 1.1 evidence without type (a warning only)', v1({ evidence: { id: 'https://e.example/1' } }), 'vc-1.1/5.8-evidence', '$.evidence.type', 'warning'],
    ['a VC 1.1 issuer that is not a URI', v1({ issuer: 'Example University' }), 'vc-1.1/4.5-issuer', '$.issuer'],
    ['a VC 1.1 credential with an id that is not a URI', v1({ id: 'cred 1' }), 'vc-1.1/4.2-id', '$.id'],
    ['a VC 1.1 type without VerifiableCredential', v1({ type: ['OpenBadgeCredential'] }), 'vc-1.1/4.3-credential-type', '$.type'],
    ['a VC 1.1 credential without a subject', v1({ credentialSubject: {} }), 'vc-1.1/4.4-credential-subject', '$.credentialSubject'],
    ['a VC 1.1 context that is not first', v1({ '@context': ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', V1] }), 'vc-2.0/4.3-context', '$["@context"][0]'],
    ['a VC 1.1 @context that is not a list', v1({ '@context': V1 }), 'vc-1.1/4.1-context', '$["@context"]'],
    ['a VC 1.1 type value that is a number', v1({ type: ['VerifiableCredential', 5] }), 'vc-1.1/4.3-type', '$.type[1]'],
    ['a VC 1.1 presentation with a JWT credential', { '@context': [V1], type: ['VerifiablePresentation'], verifiableCredential: ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln'] }, null],
    ['a VC 1.1 presentation without its type', { '@context': [V1], type: ['Presentation'] }, 'vc-1.1/4.3-presentation-type', '$.type'],
    ['a VC 1.1 presentation with a number as credential', { '@context': [V1], type: ['VerifiablePresentation'], verifiableCredential: [3] }, 'vc-1.1/4.10-verifiable-credential', '$.verifiableCredential[0]'],
  ];

  it.each(cases)('%s', (_what, doc, rule, at, severity = 'error') => {
    const json = JSON.parse(JSON.stringify(doc)); // drop the undefined properties the examples use to remove keys
    const report = check(json);
    if (rule === null) {
      expect(report.problems).toEqual([]);
      return;
    }
    expect(report.problems.map((p) => [p.rule, p.path, p.severity])).toContainEqual([rule, at, severity]);
    expect(report.conforming).toBe(severity !== 'error');
  });

  it('every rule in the catalogue has a refused example in one of the tables', () => {
    const covered = new Set([...documentRules, ...jsonLdRules, ...cases.map(([w, , r]) => [w, r] as const), ...jsonLdExamples.map(([w, , r]) => [w, r] as const)].map(([, r]) => r));
    expect(Object.keys(DATA_MODEL_RULES).filter((id) => !covered.has(id))).toEqual([]);
  });
});

// microcred's own examples of what only JSON-LD refuses: [what, change to base(), rule, path]
const jsonLdExamples: [string, Record<string, unknown>, string, string][] = [
  ['a relative id', { credentialSchema: { id: 'schemas/1', type: 'JsonSchema' } }, 'vc-2.0/6.1-json-ld', '$.credentialSchema.id'],
  ['a language tag JSON-LD refuses', { name: { '@value': 'x', '@language': 'English!' } }, 'vc-2.0/6.1-json-ld', '$.name["@language"]'],
  ['an undefined nested property', { credentialSubject: { id: 'did:example:x', degree: { type: 'Two Words' } } }, 'vc-2.0/5.2-terms-defined', '$.credentialSubject.degree'],
  ['a context with an invalid term definition', { '@context': [V2, { x: { '@id': 5 } }] }, 'vc-2.0/4.3-context-processable', '$["@context"]'],
];

describe('reports', () => {
  it('a document with several problems gets every one at once, each naming path, rule and section', () => {
    const report = checkCredential({
      '@context': ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      type: ['OpenBadgeCredential'],
      issuer: 'Example University',
      validFrom: 'yesterday',
      credentialSubject: {},
      credentialStatus: { id: 'https://s.example/1#4' },
    });
    expect(report.conforming).toBe(false);
    expect(report.problems.map((p) => p.rule)).toEqual([
      'vc-2.0/4.3-context',
      'vc-2.0/4.5-credential-type',
      'vc-2.0/4.7-issuer',
      'vc-2.0/4.8-credential-subject',
      'vc-2.0/4.9-valid-from',
      'vc-2.0/4.10-credential-status',
    ]);
    const issuer = report.problems.find((p) => p.rule === 'vc-2.0/4.7-issuer')!;
    expect(issuer).toMatchObject({ path: '$.issuer', reference: 'VC Data Model 2.0 §4.7', found: '"Example University"' });
    expect(issuer.message).toBe('$.issuer: expected a URL, or an object whose "id" is a URL, found "Example University" (VC Data Model 2.0 §4.7).');
    for (const p of report.problems) expect(DATA_MODEL_RULES[p.rule], p.rule).toBeDefined();
  });

  it('a presentation reports the problems of the credentials inside it under their paths', () => {
    const report = checkPresentation(vp({ verifiableCredential: [base(), { ...base(), validUntil: 'never' }, 12] }));
    expect(report.problems.map((p) => p.path)).toEqual(['$.verifiableCredential[1].validUntil', '$.verifiableCredential[2]']);
  });

  it('a non-object is refused, not thrown on', () => {
    for (const input of [null, 'text', 3, []]) {
      expect(checkCredential(input).conforming).toBe(false);
      expect(checkPresentation(input).conforming).toBe(false);
    }
  });

  it('an unknown context is a JSON-LD problem naming the URL (contexts are never fetched)', async () => {
    const problems = await checkJsonLd({ ...base(), '@context': [V2, 'https://contexts.example/unknown'] }, { documentLoader });
    expect(problems).toMatchObject([{ rule: 'vc-2.0/4.3-context-processable', found: 'the unknown context "https://contexts.example/unknown"' }]);
  });

  it.each(jsonLdExamples)('JSON-LD: %s is located and named', async (_what, change, rule, at) => {
    const problems = await checkJsonLd({ ...base(), ...change }, { documentLoader });
    expect(problems.map((p) => [p.rule, p.path])).toEqual([[rule, at]]);
  });

  it('an undefined property is located by path', async () => {
    const problems = await checkJsonLd({ ...base(), credentialSubject: { id: 'did:example:x', favouriteColour: 'green' } }, { documentLoader });
    expect(problems).toMatchObject([{ rule: 'vc-2.0/5.2-terms-defined', path: '$.credentialSubject.favouriteColour' }]);
  });
});

describe('real credentials conform', () => {
  const decode = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
  const dir = path.join(HERE, 'fixtures', 'verify');
  const documents: [string, unknown][] = [];
  for (const file of readdirSync(dir).filter((n) => n.endsWith('.json') && !n.includes('keypair'))) {
    const data = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    if (data['@context']) documents.push([file, data]);
    for (const v of data.vectors ?? []) {
      for (const [k, x] of Object.entries(v as Record<string, any>)) {
        if (x?.['@context']) documents.push([`${file} #${v.n} ${k}`, x]);
        if (x?.compactJws) documents.push([`${file} #${v.n} ${k} (JWT payload)`, decode(x.compactJws).vc ?? decode(x.compactJws)]);
      }
    }
  }

  it('the OB 3.0, 1EdTech and W3C examples the verifier tests use (VC 2.0 and VC 1.1) have no problem', () => {
    expect(documents.length).toBeGreaterThan(40);
    const found = documents.flatMap(([name, doc]) => checkCredential(doc).problems.map((p) => `${name}: ${p.message}`));
    expect(found).toEqual([]);
    expect(new Set(documents.map(([, d]) => checkCredential(d).version))).toEqual(new Set(['2.0', '1.1']));
  });

  const profile = JSON.parse(readFileSync(path.join(HERE, '..', 'keys.example', 'profile.json'), 'utf8'));
  const records = ['record.json', 'record-minimal.json'].map((f) => JSON.parse(readFileSync(path.join(HERE, '..', 'examples', f), 'utf8')));

  it("microcred's own credentials (buildCredential, full and minimal records) conform", () => {
    for (const record of records) {
      const credential = buildCredential(profile, record, { issuerId: 'did:web:issuer.example', profileSchemaId: 'https://issuer.example/schemas/microcred-profile/v1.json' });
      expect(checkCredential(credential)).toEqual({ version: '2.0', conforming: true, problems: [] });
    }
  });

  it('buildCredential refuses options that would make its output break a rule, naming each problem', () => {
    const build = (credentialStatus: Record<string, unknown>) => () => buildCredential(profile, records[0], { issuerId: 'did:web:issuer.example', credentialStatus });
    expect(build({ id: 'https://status.example/1#7' })).toThrowError(expect.objectContaining({
      code: 'CREDENTIAL_INVALID',
      message: expect.stringContaining('$.credentialStatus.type: expected a "type", found nothing (VC Data Model 2.0 §4.10)'),
      details: [expect.objectContaining({ rule: 'vc-2.0/4.10-credential-status', path: '$.credentialStatus.type' })],
    }));
    expect(build({ id: 'status 7', type: 'BitstringStatusListEntry' })).toThrowError(expect.objectContaining({
      details: [expect.objectContaining({ rule: 'vc-2.0/4.4-id', path: '$.credentialStatus.id' })],
    }));
  });
});
