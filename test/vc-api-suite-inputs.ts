/**
 * The W3C VC DM 2.0 suite's credential inputs for issuers (test/fixtures/vcdm), shared by the library test of the
 * VC-API issue function and the test of its route: [fixture, the rule a refusal names (null: issued)].
 */

/** Inputs the library and the route treat alike. */
export const SUITE_ISSUER_INPUTS: readonly (readonly [string, string | null])[] = [
  ['credential-context-combo1-ok.json', null],
  ['credential-context-combo2-ok.json', null],
  ['credential-no-context-fail.json', 'vc-2.0/4.3-context'],
  ['credential-missing-base-context-fail.json', 'vc-2.0/4.3-context'],
  ['credential-context-combo3-fail.json', 'vc-2.0/4.3-context'],
  ['credential-context-combo4-fail.json', 'vc-2.0/4.3-context'],
  ['credential-single-id-ok.json', null],
  ['credential-id-nonidentifier-fail.json', 'vc-2.0/4.4-id'],
  ['credential-not-url-id-fail.json', 'vc-2.0/4.4-id'],
  ['credential-multi-id-fail.json', 'vc-2.0/4.4-id'],
  ['credential-id-subject-multi-fail.json', 'vc-2.0/4.4-id'],
  ['credential-optional-type-ok.json', null],
  ['credential-type-mapped-url-ok.json', null],
  ['credential-no-type-fail.json', 'vc-2.0/4.5-credential-type'],
  ['credential-missing-required-type-fail.json', 'vc-2.0/4.5-credential-type'],
  ['credential-type-mapped-nonurl-fail.json', 'vc-2.0/4.3-context-processable'],
  ['credential-type-unmapped-fail.json', 'vc-2.0/5.2-terms-defined'],
  ['credential-redef-type-fail.json', 'vc-2.0/4.3-context-processable'],
  ['credential-redef-type2-fail.json', 'vc-2.0/4.3-context-processable'],
  ['names-and-descriptions/credential-multi-language-name-ok.json', null],
  ['names-and-descriptions/credential-description-language-direction-en-ok.json', null],
  ['names-and-descriptions/issuer-multi-language-name-ok.json', null],
  ['names-and-descriptions/credential-name-extra-prop-en-fail.json', 'vc-2.0/11.1-language-value'],
  ['names-and-descriptions/credential-description-extra-prop-en-fail.json', 'vc-2.0/11.1-language-value'],
  ['names-and-descriptions/issuer-description-extra-prop-en-fail.json', 'vc-2.0/11.1-language-value'],
  ['credential-issuer-no-url-fail.json', 'vc-2.0/4.7-issuer'],
  ['credential-issuer-object-id-no-url-fail.json', 'vc-2.0/4.7-issuer'],
  ['credential-subject-multiple-ok.json', null],
  ['credential-subject-no-claims-fail.json', 'vc-2.0/4.8-credential-subject'],
  ['credential-subject-multiple-empty-fail.json', 'vc-2.0/4.8-credential-subject'],
  ['credential-validfrom-ms-ok.json', null],
  ['credential-validfrom-tz-ok.json', null],
  ['credential-validuntil-tz-ok.json', null],
  ['credential-validUntil-validFrom-ok.json', null],
  ['credential-validfrom-invalid-fail.json', 'vc-2.0/4.9-valid-from'],
  ['credential-validuntil-invalid-fail.json', 'vc-2.0/4.9-valid-until'],
  ['credential-validUntil-validFrom-fail.json', 'vc-2.0/4.9-validity-order'],
  ['credential-status-ok.json', null],
  ['credential-status-missing-id-ok.json', null],
  ['credential-status-missing-type-fail.json', 'vc-2.0/4.10-credential-status'],
  ['credential-status-multiple-id-fail.json', 'vc-2.0/4.4-id'],
  ['credential-status-nonurl-id-fail.json', 'vc-2.0/4.4-id'],
  ['credential-status-type-nonurl-fail.json', 'vc-2.0/4.5-type'],
  ['credential-schema-type-ok.json', null],
  ['credential-schemas-ok.json', null],
  ['credential-schema-no-type-fail.json', 'vc-2.0/4.11-credential-schema'],
  ['credential-schema-no-id-fail.json', 'vc-2.0/4.11-credential-schema'],
  ['credential-schema-non-url-id-fail.json', 'vc-2.0/4.11-credential-schema'],
  ['credential-refresh-type-ok.json', null],
  ['credential-refreshs-ok.json', null],
  ['credential-refresh-no-type-fail.json', 'vc-2.0/5.4-refresh-service'],
  ['credential-termsofuse-ok.json', null],
  ['credential-termsofuse-id-ok.json', null],
  ['credential-termsofuse-missing-type-fail.json', 'vc-2.0/5.5-terms-of-use'],
  ['credential-evidence-ok.json', null],
  ['credential-evidences-ok.json', null],
  ['credential-evidence-missing-type-fail.json', 'vc-2.0/5.6-evidence'],
];

/**
 * The suite's null issuers: its harness fills a missing issuer but sends null as it is, so only the route receives
 * them as written (the library test sends them itself).
 */
export const NULL_ISSUER_INPUTS: readonly (readonly [string, string | null])[] = [
  ['credential-issuer-null-fail.json', 'vc-2.0/4.7-issuer'],
  ['credential-issuer-object-id-null-fail.json', 'vc-2.0/4.7-issuer'],
];

/** Inputs the suite expects signed that microcred refuses on purpose: they name another issuer. */
export const REFUSED_ON_PURPOSE: readonly string[] = ['credential-issuer-object-ok.json', 'credential-id-other-ok.json'];
