/**
 * The rules of the W3C Verifiable Credentials Data Model that can be checked on the document itself, one entry per
 * normative statement (or group of statements about one property), with a stable id: the data model version, the
 * section of that version, and a short name (`vc-2.0/4.7-issuer`). Ids never change meaning; a rule that is no
 * longer checked keeps its id out of use.
 *
 * Sources: VC Data Model v2.0, W3C Recommendation 15 May 2025 (https://www.w3.org/TR/vc-data-model-2.0/), and for
 * credentials on the VC 1.1 context, VC Data Model v1.1, W3C Recommendation 3 March 2022
 * (https://www.w3.org/TR/vc-data-model-1.1/).
 *
 * `severity` is what a verifier does with a breach. The 2.0 conformance section says a conforming verifier "MUST
 * produce errors when non-conforming documents are detected" and its verification algorithm (§7.1) turns a
 * non-conforming document into a MALFORMED_VALUE_ERROR, so every MUST is an `error`. Only SHOULD-level statements
 * that are worth telling an issuer about are `warning`s.
 */

export type DataModelVersion = '2.0' | '1.1';
export type RuleSeverity = 'error' | 'warning';

export interface DataModelRule {
  /** Stable id: `vc-<version>/<section>-<name>`. */
  id: string;
  version: DataModelVersion;
  /** Section of that version of the specification, e.g. `4.7`. */
  section: string;
  /** What the specification requires, in plain words. */
  requirement: string;
  severity: RuleSeverity;
}

function rule(version: DataModelVersion, section: string, name: string, requirement: string, severity: RuleSeverity = 'error'): DataModelRule {
  return { id: `vc-${version}/${section}-${name}`, version, section, requirement, severity };
}

/** VC Data Model 2.0. */
export const V2 = {
  context: rule('2.0', '4.3', 'context',
    'A credential or presentation must have an "@context": a list whose first item is https://www.w3.org/ns/credentials/v2 and whose other items are URLs or context objects.'),
  contextProcessable: rule('2.0', '4.3', 'context-processable',
    'Every "@context" item must be processable as a JSON-LD context: a context microcred has a copy of, whose terms do not redefine a term the VC context protects.'),
  id: rule('2.0', '4.4', 'id', 'An "id" must be a single URL (for example https://…, urn:uuid:… or did:…).'),
  type: rule('2.0', '4.5', 'type', 'A "type" must be one or more terms or absolute URLs, written as text.'),
  credentialType: rule('2.0', '4.5', 'credential-type', 'A credential must have a "type" that includes "VerifiableCredential".'),
  presentationType: rule('2.0', '4.5', 'presentation-type', 'A presentation must have a "type" that includes "VerifiablePresentation".'),
  nameDescription: rule('2.0', '4.6', 'name-description',
    '"name" and "description" must be text or language value objects ({"@value", "@language", "@direction"}), or a list of them.'),
  issuer: rule('2.0', '4.7', 'issuer', 'A credential must have an "issuer": a URL, or an object whose "id" is a URL.'),
  credentialSubject: rule('2.0', '4.8', 'credential-subject',
    'A credential must have a "credentialSubject": one object, or a list of objects, each making at least one claim.'),
  validFrom: rule('2.0', '4.9', 'valid-from', '"validFrom" must be an XML Schema dateTimeStamp: a date and time with a time zone, such as 2025-06-01T09:00:00Z.'),
  validUntil: rule('2.0', '4.9', 'valid-until', '"validUntil" must be an XML Schema dateTimeStamp: a date and time with a time zone, such as 2026-06-01T09:00:00Z.'),
  validityOrder: rule('2.0', '4.9', 'validity-order', '"validFrom" must not be later than "validUntil".'),
  credentialStatus: rule('2.0', '4.10', 'credential-status', 'Each "credentialStatus" must be an object with a "type".'),
  credentialSchema: rule('2.0', '4.11', 'credential-schema', 'Each "credentialSchema" must be an object with a "type" and an "id" that is a URL.'),
  verifiableCredential: rule('2.0', '4.13', 'verifiable-credential',
    'A presentation\'s "verifiableCredential" must hold credential objects or enveloped credential objects, never text, numbers or URLs.'),
  holder: rule('2.0', '4.13', 'holder', 'A presentation\'s "holder" must be a URL or an object with an "id".'),
  envelopedCredential: rule('2.0', '4.13.1', 'enveloped-credential',
    'An EnvelopedVerifiableCredential must have an "@context" with the VC 2.0 context, "type" EnvelopedVerifiableCredential and an "id" that is a data: URL.'),
  envelopedPresentation: rule('2.0', '4.13.2', 'enveloped-presentation',
    'An EnvelopedVerifiablePresentation must have an "@context" with the VC 2.0 context, "type" EnvelopedVerifiablePresentation and an "id" that is a data: URL.'),
  termsDefined: rule('2.0', '5.2', 'terms-defined',
    'Every property and type must be defined by the contexts (or the last context must be https://www.w3.org/ns/credentials/undefined-terms/v2).'),
  relatedResource: rule('2.0', '5.3', 'related-resource',
    'Each "relatedResource" must be an object with a URL "id" (unique among them) and a "digestSRI" or "digestMultibase".'),
  refreshService: rule('2.0', '5.4', 'refresh-service', 'Each "refreshService" must be an object with a "type".'),
  termsOfUse: rule('2.0', '5.5', 'terms-of-use', 'Each "termsOfUse" must be an object with a "type".'),
  evidence: rule('2.0', '5.6', 'evidence', 'Each "evidence" must be an object with a "type".'),
  reservedType: rule('2.0', '5.10', 'reserved-extension',
    'A value of the reserved properties "confidenceMethod" and "renderMethod" must be an object with a "type".'),
  jsonLd: rule('2.0', '6.1', 'json-ld',
    'The document must be JSON-LD that processors accept (compacted form): ids that are absolute URLs, valid language tags and directions.'),
  languageValue: rule('2.0', '11.1', 'language-value',
    'A language value object must have a text "@value", may have "@language" and "@direction" ("ltr" or "rtl"), and nothing else.'),
  languageTag: rule('2.0', '11.1', 'language-tag', '"@language" should be a well-formed BCP 47 language tag, such as "en" or "cy-GB".', 'warning'),
} as const;

/** VC Data Model 1.1, for credentials and presentations on the https://www.w3.org/2018/credentials/v1 context. */
export const V1 = {
  context: rule('1.1', '4.1', 'context',
    'A VC 1.1 credential or presentation must have an "@context" list whose first item is https://www.w3.org/2018/credentials/v1.'),
  id: rule('1.1', '4.2', 'id', 'An "id" must be a single URI.'),
  type: rule('1.1', '4.3', 'type', 'A "type" must be one or more terms or URIs, written as text.'),
  credentialType: rule('1.1', '4.3', 'credential-type', 'A credential must have a "type" that includes "VerifiableCredential".'),
  presentationType: rule('1.1', '4.3', 'presentation-type', 'A presentation must have a "type" that includes "VerifiablePresentation".'),
  credentialSubject: rule('1.1', '4.4', 'credential-subject',
    'A credential must have a "credentialSubject": one object, or a list of objects, each with at least one property.'),
  issuer: rule('1.1', '4.5', 'issuer', 'A credential must have an "issuer": a URI, or an object whose "id" is a URI.'),
  issuanceDate: rule('1.1', '4.6', 'issuance-date', 'A VC 1.1 credential must have an "issuanceDate" that is an XML Schema dateTime, such as 2022-06-01T09:00:00Z.'),
  expirationDate: rule('1.1', '4.8', 'expiration-date', '"expirationDate" must be an XML Schema dateTime, such as 2027-06-01T09:00:00Z.'),
  credentialStatus: rule('1.1', '4.9', 'credential-status', 'Each "credentialStatus" must be an object with an "id" and a "type".'),
  verifiableCredential: rule('1.1', '4.10', 'verifiable-credential',
    'A presentation\'s "verifiableCredential" must hold credential objects or compact JWT credentials.'),
  credentialSchema: rule('1.1', '5.4', 'credential-schema', 'Each "credentialSchema" must be an object with an "id" and a "type".'),
  refreshService: rule('1.1', '5.6', 'refresh-service', 'Each "refreshService" must be an object with an "id" and a "type".'),
  termsOfUse: rule('1.1', '5.7', 'terms-of-use', 'Each "termsOfUse" must be an object with a "type".'),
  evidence: rule('1.1', '5.8', 'evidence', 'Each "evidence" should be an object with a "type" (each evidence scheme is identified by its type).', 'warning'),
} as const;

/**
 * Every rule, by id.
 *
 * @example
 * ```ts
 * DATA_MODEL_RULES['vc-2.0/4.7-issuer'].requirement; // 'A credential must have an "issuer": …'
 * ```
 */
export const DATA_MODEL_RULES: Readonly<Record<string, DataModelRule>> = Object.freeze(
  Object.fromEntries([...Object.values(V2), ...Object.values(V1)].map((r) => [r.id, r])),
);
