/**
 * VC-API `POST /credentials/issue` (VCALM "issueCredential"): everything decided about a caller's unsigned
 * credential before it is signed, as one plain function that knows nothing of HTTP or storage.
 *
 * Any VC Data Model 2.0 credential is accepted (and 1.1 ones, held to the 1.1 rules) if it follows every rule that
 * can be checked on the document and by JSON-LD (src/vcdm), names this issuer, and is unsigned. Open Badges
 * credentials are also held to the official OB 3.0 JSON Schema (AchievementCredential or EndorsementCredential)
 * and, when they claim it, to microcred's micro-credential profile. Every problem is reported at once.
 *
 * Decisions:
 * - `issuer` absent: this issuer is filled in, as an OB `Profile` object for Open Badges (the OB schema wants one)
 *   and as its plain URL otherwise (`Profile` is not a term of the VC 2.0 context, so it would be an undefined type).
 * - `proof` in the request: refused. The endpoint issues; adding a proof to a secured credential is not this call.
 * - Proof shape of the answer (`proofShape`): a list for Open Badges (the OB schema requires `proof` to be a list),
 *   a single object otherwise (what VC DM 2.0's examples show and the W3C VC-API test suite asserts,
 *   `shouldBeIssuedVc`). `shapeProof` applies it after signing; the signature does not cover `proof`.
 * - `credentialStatus` from the caller: kept for other credentials (the W3C suite sends status entries of its own
 *   and expects them issued); `withCredentialStatus` adds the service's own entry next to them. Refused for Open
 *   Badges, whose schema allows one status entry: the service's revocation entry.
 * - Answer codes: 400 for a request that is not a credential at all (not a JSON object); 422 for a credential that
 *   breaks a rule or names another issuer. VCALM lists only 400 for this endpoint; the W3C suites accept 400 or 422
 *   (`shouldThrowInvalidInput`), and 422 is what this service answers for content it understood and refused.
 */
import { randomUUID } from 'node:crypto';
import { createDocumentLoader, type DocumentLoader } from '../lib/document-loader.js';
import { validateEndorsementSchema, validateOpenBadgeSchema, type SchemaCheck } from '../schema/validate-ob.js';
import { claimsMicrocredProfile, validateMicrocredProfile } from '../schema/validate-profile.js';
import { checkCredential, type ConformanceProblem } from '../vcdm/conformance.js';
import { checkJsonLd } from '../vcdm/jsonld.js';
import { isObject, isUrl } from '../vcdm/values.js';
import type { DataModelVersion } from '../vcdm/rules.js';

/** The issuer the endpoint signs for. */
export interface VcApiIssuer {
  /** Its identifier: the controller of its keys (a DID or an https URL). */
  id: string;
  /** OB Profile fields filled in when an Open Badge names no issuer. */
  name?: string;
  url?: string;
}

export interface PrepareVcApiOptions {
  /** VC-API `options.credentialId`: the id the credential gets when it has none. It must be a URL. */
  credentialId?: string;
  /** JSON-LD loader for the contexts check. Default: the bundled contexts (nothing is fetched). */
  documentLoader?: DocumentLoader;
}

/**
 * One reason a credential is refused. `rule`: a VC Data Model rule id (`vc-2.0/4.7-issuer`, see
 * DATA_MODEL_RULES), `ob-3.0/schema` (the official OB 3.0 JSON Schema), `microcred/profile` (microcred's
 * micro-credential profile), or a VC-API rule: `vc-api/issuer` (not this issuer), `vc-api/unsigned` (already secured),
 * `vc-api/status` (a status entry in an Open Badge).
 */
export interface VcApiProblem {
  rule: string;
  path: string;
  message: string;
  expected?: string;
  found?: string;
  severity?: 'error' | 'warning';
}

export type CredentialKind = 'open-badge' | 'endorsement' | 'generic';

export interface PreparedCredential {
  ok: true;
  /** The credential to sign: issuer filled in, caller's status entries kept (generic), no `id` added. */
  credential: Record<string, unknown>;
  kind: CredentialKind;
  version: DataModelVersion;
  /** How the answer carries `proof` (see the module comment); apply with `shapeProof`. */
  proofShape: 'list' | 'object';
  /** Rules the credential follows only with a remark (warnings): worth returning to the caller. */
  warnings: VcApiProblem[];
}

export interface RefusedCredential {
  ok: false;
  /** 400: not a credential at all; 422: a credential that breaks a rule. */
  status: 400 | 422;
  /** Problem type fragment: `bad-request`, `schema-invalid` (OB schema) or `credential-invalid`. */
  code: 'bad-request' | 'schema-invalid' | 'credential-invalid';
  title: string;
  detail: string;
  problems: VcApiProblem[];
}

const PLACEHOLDER_STATUS = { id: 'https://status.invalid/lists/1#0', type: 'BitstringStatusListEntry' };

function kindOf(credential: Record<string, unknown>): CredentialKind {
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  if (types.includes('OpenBadgeCredential') || types.includes('AchievementCredential')) return 'open-badge';
  if (types.includes('EndorsementCredential')) return 'endorsement';
  return 'generic';
}

function fromSchema(check: SchemaCheck, rule: string): VcApiProblem[] {
  return check.errors.map((e) => ({ rule, path: e.path, message: e.message }));
}

function fromConformance(p: ConformanceProblem): VcApiProblem {
  return { rule: p.rule, path: p.path, message: p.message, expected: p.expected, found: p.found, severity: p.severity };
}

function vcApiProblem(rule: string, path: string, expected: string, found: string): VcApiProblem {
  return { rule, path, expected, found, message: `${path}: expected ${expected}, found ${found}.` };
}

function idOf(issuer: unknown): unknown {
  return isObject(issuer) ? issuer.id : issuer;
}

/**
 * A credential's `credentialStatus` with the service's own entry added: the entry alone when there was none, a
 * list of the caller's entries and it otherwise.
 *
 * @example
 * ```ts
 * withCredentialStatus(prepared.credential, entry).credentialStatus; // entry, or [callerEntry, entry]
 * ```
 */
export function withCredentialStatus(credential: Record<string, unknown>, entry: Record<string, unknown>): Record<string, unknown> {
  const existing = credential.credentialStatus;
  if (existing === undefined) return { ...credential, credentialStatus: entry };
  return { ...credential, credentialStatus: [...(Array.isArray(existing) ? existing : [existing]), entry] };
}

/**
 * A signed credential with `proof` in the shape `prepareVcApiCredential` chose: one proof is unwrapped from its
 * list for `object`, a single proof is wrapped for `list`; several proofs stay a list.
 *
 * @example
 * ```ts
 * const answer = shapeProof(signed, prepared.proofShape); // { ..., proof: { type: 'DataIntegrityProof', ... } }
 * ```
 */
export function shapeProof<T extends Record<string, unknown>>(signed: T, shape: 'list' | 'object'): T {
  const proof = signed.proof;
  if (proof === undefined) return signed;
  if (shape === 'object' && Array.isArray(proof) && proof.length === 1) return { ...signed, proof: proof[0] };
  if (shape === 'list' && !Array.isArray(proof)) return { ...signed, proof: [proof] };
  return signed;
}

/**
 * Checks a VC-API issue request's `credential` for `issuer` and returns what to sign, or every reason not to.
 * Writes nothing and fetches nothing (contexts come from the bundled copies).
 *
 * @example
 * ```ts
 * const prepared = await prepareVcApiCredential(body.credential, { id: keys.controller, name: 'Northbridge' }, { credentialId: opts.credentialId });
 * if (!prepared.ok) throw new HttpProblem(prepared.status, prepared.code, prepared.title, prepared.detail, { problems: prepared.problems });
 * const signed = shapeProof(await issueCredential(withCredentialStatus({ ...prepared.credential, id }, entry), { format: 'di', keys }), prepared.proofShape);
 * ```
 */
export async function prepareVcApiCredential(
  input: unknown,
  issuer: VcApiIssuer,
  options: PrepareVcApiOptions = {},
): Promise<PreparedCredential | RefusedCredential> {
  if (!isObject(input)) {
    const found = input === undefined ? 'nothing' : input === null ? 'null' : Array.isArray(input) ? 'a list' : `${typeof input === 'string' ? 'text' : typeof input}`;
    return {
      ok: false,
      status: 400,
      code: 'bad-request',
      title: 'Bad request',
      detail: `"credential" must be the unsigned credential as a JSON object; found ${found}.`,
      problems: [vcApiProblem('vc-api/credential', '$.credential', 'the unsigned credential (a JSON object)', found)],
    };
  }
  const credential = structuredClone(input);
  const kind = kindOf(credential);
  const problems: VcApiProblem[] = [];

  if ('proof' in credential) problems.push(vcApiProblem('vc-api/unsigned', '$.proof', 'an unsigned credential (no "proof"): this endpoint secures it', 'a proof'));
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  if (types.includes('EnvelopedVerifiableCredential')) {
    problems.push(vcApiProblem('vc-api/unsigned', '$.type', 'an unsigned credential', 'an EnvelopedVerifiableCredential (already secured)'));
  }
  if (credential.issuer === undefined) {
    credential.issuer = kind === 'generic' ? issuer.id : { id: issuer.id, type: ['Profile'], ...(issuer.name ? { name: issuer.name } : {}), ...(issuer.url ? { url: issuer.url } : {}) };
  } else if (idOf(credential.issuer) !== issuer.id && (isUrl(idOf(credential.issuer)))) {
    // A malformed issuer is the data model rule's to report; a well-formed other issuer is this one.
    problems.push(vcApiProblem('vc-api/issuer', typeof credential.issuer === 'string' ? '$.issuer' : '$.issuer.id', `this issuer, ${issuer.id} (or no issuer: it is filled in)`, JSON.stringify(idOf(credential.issuer))));
  }
  if (kind !== 'generic' && credential.credentialStatus !== undefined) {
    problems.push(vcApiProblem('vc-api/status', '$.credentialStatus', 'no credentialStatus: the service allocates the one entry an Open Badge may carry', 'a status entry'));
  }
  if (options.credentialId !== undefined && !isUrl(options.credentialId)) {
    problems.push(vcApiProblem('vc-api/credential-id', '$.options.credentialId', 'a URL (it becomes the credential\'s id)', JSON.stringify(options.credentialId)));
  }

  // Check what will be signed: with an id and the service's status entry (the probe's placeholder values conform).
  const withId = 'id' in credential ? credential : { ...credential, id: isUrl(options.credentialId) ? options.credentialId : `urn:uuid:${randomUUID()}` };
  const probe = kind === 'generic' ? withCredentialStatus(withId, PLACEHOLDER_STATUS) : { ...withId, credentialStatus: credential.credentialStatus ?? PLACEHOLDER_STATUS };
  const conformance = checkCredential(probe);
  const modelProblems = conformance.problems.map(fromConformance);
  const modelErrors = modelProblems.filter((p) => p.severity === 'error');
  problems.push(...modelErrors);
  // JSON-LD stops at its first error, which for a document breaking a rule above is mostly that same breach again.
  if (modelErrors.length === 0) {
    problems.push(...(await checkJsonLd(probe, { documentLoader: options.documentLoader ?? createDocumentLoader() })).map(fromConformance));
  }

  const schemaProblems =
    kind === 'open-badge'
      ? fromSchema(validateOpenBadgeSchema(probe), 'ob-3.0/schema')
      : kind === 'endorsement'
        ? fromSchema(validateEndorsementSchema(probe), 'ob-3.0/schema')
        : [];
  problems.push(...schemaProblems);
  if (kind !== 'generic' && claimsMicrocredProfile(probe)) problems.push(...fromSchema(validateMicrocredProfile(probe), 'microcred/profile'));

  if (problems.length > 0) {
    const n = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    const schema = schemaProblems.length > 0;
    return {
      ok: false,
      status: 422,
      code: schema ? 'schema-invalid' : 'credential-invalid',
      title: schema ? 'Not a valid Open Badges 3.0 credential' : 'Invalid credential',
      detail: schema
        ? `The credential does not validate against the OB 3.0 ${kind === 'endorsement' ? 'EndorsementCredential' : 'AchievementCredential'} JSON Schema or breaks other rules (${n}); see "problems".`
        : `The credential cannot be issued (${n}); see "problems" for each, with its JSON path and rule.`,
      problems,
    };
  }
  return {
    ok: true,
    credential,
    kind,
    version: conformance.version,
    proofShape: kind === 'generic' ? 'object' : 'list',
    warnings: modelProblems.filter((p) => p.severity === 'warning'),
  };
}
