/**
 * Check "proof": the signature.
 *
 * Data Integrity: every proof is looked at, following Data Integrity 1.0 §4.5 "Verify Proof Sets and Chains": each
 * proof of a supported kind is verified, a chained proof (`previousProof`) over the document carrying the proofs it
 * names, and the check passes only when all of them verify; a proof naming a previous proof the credential does not
 * contain fails (PROOF_VERIFICATION_ERROR). Proofs of kinds microcred does not support are ignored and named, as long
 * as a supported one verifies (OB 3.0 §8). The check's details say what became of each proof. Supported:
 * `DataIntegrityProof` with `eddsa-rdfc-2022`, the same with the legacy name `eddsa-2022`, and
 * `Ed25519Signature2020` (see `suiteFor`); `eddsa-jcs-2022` and `ecdsa-rdfc-2019` proofs get their verifier from
 * `cryptosuiteVerifier` (src/proof/suites.ts). The legacy name is handled by a cryptosuite object that is the
 * `eddsa-rdfc-2022` one under the name `eddsa-2022`: the algorithm is identical and the name itself is part of the
 * signed proof options, so the Digital Bazaar suite verifies it unchanged (no hand-written canonicalisation). Each
 * proof is verified by the suite's own `verifyProof`; the proof purpose must be `assertionMethod`. A key that cannot
 * be found makes the outcome "unknown" (no signature was checked), never "not valid". Whether the keys belong to
 * the issuer is the "issuer-key" check.
 *
 * JWT: two profiles, told apart by the header (`jwtProfileOf`) and named on the check (`profile`): the Open Badges
 * 3.0 VC-JWT and W3C VC-JOSE-COSE (`typ: vc+jwt`). Headers with `crit` or `b64` are refused (`joseHeaderProblem`):
 * microcred understands no JWS extension, and RFC 7515 §4.1.11 forbids accepting one it does not. `jose` verifies
 * RS256, ES256, ES384 or EdDSA with the key from the header `kid` (dereferenced) or `jwk`, then the registered claims
 * are compared with the credential (iss = issuer.id, jti = id, sub = credentialSubject.id; OB 3.0 §8.2 also nbf =
 * validFrom and exp = validUntil). For OB a missing `nbf` is a warning, not a failure: the rendered OB 3.0
 * specification examples have none. VC-JOSE-COSE requires none of these claims, forbids `vc`/`vp` claims, and a
 * present `exp`/`nbf` limits when the token itself may be accepted (RFC 7519).
 */
import { compactVerify, importJWK, type JWK } from 'jose';
import type { KeyObject } from 'node:crypto';
import { MicrocredError } from '../../errors.js';
import { DataIntegrityProof, Ed25519Signature2020, type Cryptosuite, type ProofVerifier } from '../../proof/vendor.js';
import { fastCryptosuite } from '../../proof/fast/cryptosuite.js';
import { cryptosuiteVerifier } from '../../proof/suites.js';
import { jwtProfileOf, type JwtProfile } from '../../proof/jwt.js';
import { dereferenceVerificationMethod } from '../../did/resolve.js';
import { joseHeaderProblem } from '../../proof/jwt.js';
import { publicKeyFromVerificationMethod } from '../../did/verification-key.js';
import type { DocumentLoader } from '../../lib/document-loader.js';
import type { Check, CheckDetail, SigningKey, VerifyContext } from '../types.js';
import { findJwkInIssuerJwks } from './issuer-key.js';
import { findCause, isFetchProblem, rootMessage } from './util.js';
import { joinMessages, message as sentence, type Message } from '../messages.js';

const DI_V1 = 'https://w3id.org/security/data-integrity/v1';
const VC2 = 'https://www.w3.org/ns/credentials/v2';
const JWT_ALGS = ['RS256', 'ES256', 'ES384', 'EdDSA'];
type VerifyKey = KeyObject | Awaited<ReturnType<typeof importJWK>>;

/** Data Integrity 1.0 §4.7: the error type of a failed proof verification. */
const PROOF_VERIFICATION_ERROR = 'PROOF_VERIFICATION_ERROR';

type Outcome = {
  status: 'pass' | 'fail' | 'unknown';
  reason: string;
  key?: SigningKey;
  /** JWT: signature fine, claims contradict the credential. */
  claims?: boolean;
  code?: string;
};

export interface ProofResult {
  check: Check;
  /** The keys of the valid signatures, in the order of the proofs (set only when the check passed). */
  keys?: SigningKey[];
}

/** The suite that verifies a proof, or undefined for a kind microcred does not support (one place to add suites). */
function suiteFor(proof: Record<string, unknown>, credential: Record<string, unknown>, cryptosuite: Cryptosuite): ProofVerifier | undefined {
  if (proof.type === 'Ed25519Signature2020') return new Ed25519Signature2020();
  if (proof.type !== 'DataIntegrityProof') return undefined;
  const ctx = Array.isArray(credential['@context']) ? credential['@context'] : [credential['@context']];
  // VC 1.1 documents carry the Data Integrity v1 context; the suite must not add the v2 one to the proof options.
  const legacyContext = ctx.includes(DI_V1) && !ctx.includes(VC2);
  if (proof.cryptosuite === 'eddsa-rdfc-2022') {
    return new DataIntegrityProof({ cryptosuite, legacyContext });
  }
  if (proof.cryptosuite === 'eddsa-2022') {
    // Same algorithm, older name (see the module comment).
    return new DataIntegrityProof({ cryptosuite: { ...cryptosuite, name: 'eddsa-2022' }, legacyContext });
  }
  return cryptosuiteVerifier(proof, { legacyContext });
}

function proofLabel(proof: Record<string, unknown>): string {
  return proof.type === 'DataIntegrityProof' ? `DataIntegrityProof/${String(proof.cryptosuite)}` : String(proof.type);
}

/** Failures to obtain the key: the signature was never checked, so the outcome is "unknown", never "not valid". */
function keyLookupOutcome(vmId: string, e: unknown): Outcome {
  return { status: 'unknown', reason: `the signing key ${vmId} could not be found, so the signature could not be checked: ${rootMessage(e)}` };
}

/**
 * Verifies one Data Integrity proof. `previous` are the proofs its `previousProof` names: as Data Integrity 1.0
 * §4.5 specifies, a chained proof is verified over the document whose `proof` is exactly those proofs (as they
 * appear, `proofValue` included); a proof of a set (no `previousProof`) over the document without any proof.
 */
async function verifyDataIntegrityProof(
  ctx: VerifyContext,
  proof: Record<string, unknown>,
  suite: ProofVerifier,
  previous: Record<string, unknown>[],
): Promise<Outcome> {
  if (proof.proofPurpose !== 'assertionMethod') {
    return {
      status: 'fail',
      code: PROOF_VERIFICATION_ERROR,
      reason: `the proof was made for "${String(proof.proofPurpose)}", not for issuing credentials ("assertionMethod")`,
    };
  }
  const vmId = typeof proof.verificationMethod === 'string' ? proof.verificationMethod : (proof.verificationMethod as { id?: string } | undefined)?.id;
  if (!vmId) return { status: 'fail', code: PROOF_VERIFICATION_ERROR, reason: 'the proof does not say which key made it (no verificationMethod)' };
  let deref: Awaited<ReturnType<typeof dereferenceVerificationMethod>>;
  try {
    deref = await dereferenceVerificationMethod(vmId, ctx.resolve);
  } catch (e) {
    return keyLookupOutcome(vmId, e);
  }
  const vm = deref.verificationMethod;
  // The suites load the key through the document loader: hand them the method we already dereferenced (under the
  // URL the proof names, which for a bare did:key is not the method's own id).
  const keyDoc =
    vm.type === 'Ed25519VerificationKey2020'
      ? { '@context': 'https://w3id.org/security/suites/ed25519-2020/v1', ...vm }
      : vm.type === 'Multikey'
        ? { '@context': 'https://w3id.org/security/multikey/v1', ...vm }
        : vm;
  const documentLoader: DocumentLoader = async (url) =>
    url === vmId || url === vm.id ? { contextUrl: null, documentUrl: url, document: keyDoc } : ctx.documentLoader(url);
  const document = { ...ctx.credential };
  delete document.proof;
  if (previous.length > 0) document.proof = previous;
  let result: { verified: boolean; error?: unknown };
  try {
    result = await suite.verifyProof({
      proof: { '@context': ctx.credential['@context'], ...proof },
      document,
      proofSet: [],
      documentLoader,
    });
  } catch (e) {
    result = { verified: false, error: e };
  }
  const key: SigningKey = {
    vmId: vm.id,
    verificationMethod: vm,
    ...(deref.controllerDocument ? { controllerDocument: deref.controllerDocument } : {}),
  };
  if (result.verified) return { status: 'pass', reason: '', key };
  const unknownContext = findCause(result.error, (x) => (x instanceof MicrocredError && x.code === 'UNKNOWN_CONTEXT' ? x : undefined));
  if (unknownContext) return { status: 'fail', code: PROOF_VERIFICATION_ERROR, reason: unknownContext.message };
  const message = rootMessage(result.error);
  if (/invalid signature/i.test(message)) {
    return {
      status: 'fail',
      code: PROOF_VERIFICATION_ERROR,
      reason: 'the signature does not match the content: the credential was changed after it was signed, or signed with another key',
      key,
    };
  }
  return { status: 'fail', code: PROOF_VERIFICATION_ERROR, reason: `the signature could not be checked: ${message}`, key };
}

/** The ids a proof's `previousProof` names (none without one), or undefined when it is neither a string nor strings. */
function previousProofIds(proof: Record<string, unknown>): string[] | undefined {
  const p = proof.previousProof;
  if (p === undefined) return [];
  if (typeof p === 'string') return [p];
  if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === 'string')) return p as string[];
  return undefined;
}

/** One proof of the credential and what became of it. `outcome` undefined: a kind microcred does not verify (ignored). */
interface ProofEntry {
  index: number;
  proof: Record<string, unknown>;
  label: string;
  previous: number[];
  outcome?: Outcome;
}

/**
 * A chained proof counts as verified only if the proofs it builds on are verified too (Data Integrity 1.0 §4.5):
 * settles each entry's outcome against its predecessors, in place.
 */
function settleChains(entries: ProofEntry[]): void {
  const settled = new Set<number>();
  const visit = (entry: ProofEntry, path: Set<number>): void => {
    if (settled.has(entry.index) || !entry.outcome) return;
    path.add(entry.index);
    for (const i of entry.previous) {
      const prev = entries[i] as ProofEntry;
      if (entry.outcome.status !== 'pass') break;
      if (path.has(i)) {
        entry.outcome = { status: 'fail', code: PROOF_VERIFICATION_ERROR, reason: 'the proofs name each other as previous proofs, which no genuine proof chain can do' };
        break;
      }
      visit(prev, path);
      const what = `it builds on signature ${i + 1} (${prev.label})`;
      if (!prev.outcome) {
        entry.outcome = { status: 'unknown', reason: `its signature matches, but ${what}, of a kind microcred cannot check` };
      } else if (prev.outcome.status === 'fail') {
        entry.outcome = { status: 'fail', code: PROOF_VERIFICATION_ERROR, reason: `its signature matches, but ${what}, which is not valid` };
      } else if (prev.outcome.status === 'unknown') {
        entry.outcome = { status: 'unknown', reason: `its signature matches, but ${what}, which could not be checked` };
      }
    }
    path.delete(entry.index);
    settled.add(entry.index);
  };
  for (const entry of entries) visit(entry, new Set());
}

function proofDetail(entry: ProofEntry): CheckDetail {
  const path = `proof[${entry.index}]`;
  const o = entry.outcome;
  const chained = entry.previous.length > 0 ? `, building on signature ${entry.previous.map((i) => i + 1).join(' and ')}` : '';
  if (!o) return { path, status: 'not-applicable', message: `Signature ${entry.index + 1} (${entry.label}) was ignored: microcred does not support this kind of proof.` };
  const by = o.key?.vmId ? ` by ${o.key.vmId}` : '';
  if (o.status === 'pass') return { path, status: 'pass', message: `Signature ${entry.index + 1} (${entry.label}${by}${chained}) matches.` };
  return {
    path,
    status: o.status,
    message: sentenceJoin([`Signature ${entry.index + 1} (${entry.label}${by}${chained}) ${o.status === 'unknown' ? 'could not be checked' : 'is not valid'}: ${o.reason}`]),
    ...(o.code ? { code: o.code } : {}),
  };
}

/**
 * Data Integrity: every proof of a supported kind is verified, following Data Integrity 1.0 §4.5 (proof sets and
 * chains). The check passes when all of them verify; proofs of kinds microcred does not support are ignored (and
 * named) as long as a supported one verifies.
 */
async function checkDataIntegrityProofs(ctx: VerifyContext, pass: Message): Promise<ProofResult> {
  const raw = ctx.credential.proof;
  const proofs = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (p): p is Record<string, unknown> => p !== null && typeof p === 'object' && !Array.isArray(p),
  );
  if (proofs.length === 0) {
    return { check: { id: 'proof', status: 'fail', message: 'The credential is not signed, so nobody can tell who issued it or whether it was changed.' } };
  }
  const indexById = new Map<string, number[]>();
  proofs.forEach((p, i) => {
    if (typeof p.id === 'string') indexById.set(p.id, [...(indexById.get(p.id) ?? []), i]);
  });
  const entries: ProofEntry[] = [];
  for (const [index, proof] of proofs.entries()) {
    const entry: ProofEntry = { index, proof, label: proofLabel(proof), previous: [] };
    entries.push(entry);
    const suite = suiteFor(proof, ctx.credential, ctx.options.cryptosuite ?? fastCryptosuite());
    if (!suite) continue;
    const ids = previousProofIds(proof);
    if (!ids) {
      entry.outcome = { status: 'fail', code: PROOF_VERIFICATION_ERROR, reason: 'its previousProof must be the id of another proof, or a list of ids' };
      continue;
    }
    const missing = ids.filter((id) => indexById.get(id)?.length !== 1);
    if (missing.length > 0) {
      entry.outcome = {
        status: 'fail',
        code: PROOF_VERIFICATION_ERROR,
        reason: `it builds on a previous proof (previousProof ${missing.map((m) => JSON.stringify(m)).join(', ')}) that the credential does not contain exactly once`,
      };
      continue;
    }
    entry.previous = ids.map((id) => (indexById.get(id) as number[])[0] as number);
    entry.outcome = await verifyDataIntegrityProof(ctx, proof, suite, entry.previous.map((i) => proofs[i] as Record<string, unknown>));
  }
  settleChains(entries);
  const details = entries.map(proofDetail);
  const checked = entries.filter((e) => e.outcome);
  const ignored = entries.filter((e) => !e.outcome).map((e) => e.label);
  const ignoredNote = ignored.length > 0 ? ` A signature of a kind microcred does not support (${ignored.join(', ')}) was ignored.` : '';
  if (checked.length === 0) {
    return {
      check: {
        id: 'proof',
        status: 'fail',
        message: `The credential's signature uses a method microcred does not support (${ignored.join(', ')}), so it could not be checked.`,
        code: PROOF_VERIFICATION_ERROR,
        details,
      },
    };
  }
  const failed = checked.filter((e) => e.outcome?.status === 'fail');
  const unknown = checked.filter((e) => e.outcome?.status === 'unknown');
  if (failed.length === 0 && unknown.length === 0) {
    const messages = [pass];
    if (checked.length > 1) {
      const chained = checked.some((e) => e.previous.length > 0);
      messages.push(sentence(chained ? 'verify.proof.allMatchChain' : 'verify.proof.allMatch', { count: checked.length }));
    }
    if (ignored.length > 0) messages.push(sentence('verify.proof.ignored', { kinds: ignored.join(', ') }));
    const keys = checked.map((e) => e.outcome?.key).filter((k): k is SigningKey => k !== undefined);
    return { check: { id: 'proof', status: 'pass', message: joinMessages(messages), messages, details }, ...(keys.length ? { keys } : {}) };
  }
  const bad = failed.length > 0 ? failed : unknown;
  const status = failed.length > 0 ? 'fail' : 'unknown';
  const head = status === 'unknown' ? 'The signature could not be checked' : 'The signature is not valid';
  let message: string;
  if (checked.length === 1) {
    message = sentenceJoin([`${head}: ${(bad[0] as ProofEntry).outcome?.reason}`]) + ignoredNote;
  } else {
    const which = bad.map((e) => `signature ${e.index + 1} (${e.label}): ${e.outcome?.reason}`).join('; ');
    const verb = status === 'unknown' ? 'could not be checked' : bad.length === 1 ? 'is not valid' : 'are not valid';
    message =
      sentenceJoin([`${bad.length} of the credential's ${checked.length} signatures ${verb}, so it cannot be trusted as a whole: ${which}`]) + ignoredNote;
  }
  const code = (bad.find((e) => e.outcome?.code) as ProofEntry | undefined)?.outcome?.code;
  return { check: { id: 'proof', status, message, ...(code ? { code } : {}), details } };
}

async function verifyJwtProof(ctx: VerifyContext, profile: JwtProfile): Promise<{ outcome: Outcome; notes: string[] }> {
  const jwt = ctx.jwt!;
  const header = jwt.header;
  const notes: string[] = [];
  const alg = header.alg;
  if (typeof alg !== 'string' || !JWT_ALGS.includes(alg)) {
    return { outcome: { status: 'fail', reason: `the JWT uses the algorithm ${JSON.stringify(alg)}; microcred accepts RS256, ES256, ES384 and EdDSA` }, notes };
  }
  const refused = joseHeaderProblem(header);
  if (refused) return { outcome: { status: 'fail', reason: refused }, notes };
  if (profile === 'ob-vc-jwt' && header.typ !== undefined && header.typ !== 'JWT') {
    notes.push(`the token's type is ${JSON.stringify(header.typ)} rather than "JWT" as Open Badges asks`);
  }
  let key: VerifyKey;
  let signingKey: SigningKey;
  try {
    if (header.jwk && typeof header.jwk === 'object') {
      const jwk = header.jwk as Record<string, unknown>;
      if ('d' in jwk) return { outcome: { status: 'fail', reason: 'the JWT header contains a private key, which is never allowed' }, notes };
      key = await importJWK(jwk as JWK, alg);
      signingKey = { jwk, source: 'jwk', ...(typeof header.kid === 'string' ? { vmId: header.kid } : {}) };
    } else if (typeof header.kid === 'string' && header.kid !== '') {
      const resolved = await keyFromKid(ctx, header.kid);
      if (!resolved) {
        return { outcome: { status: 'unknown', reason: `the key ${header.kid} named by the JWT could not be found, so the signature could not be checked` }, notes };
      }
      key = resolved.key;
      signingKey = resolved.signingKey;
    } else {
      return { outcome: { status: 'fail', reason: 'the JWT header names no key (it needs "kid" or "jwk")' }, notes };
    }
  } catch (e) {
    // A key that cannot be found or read means no signature was checked: "unknown", never "not valid".
    const lookup = isFetchProblem(e) || (e instanceof MicrocredError && (e.code === 'KEY_NOT_FOUND' || e.code === 'DID_RESOLUTION_FAILED'));
    return {
      outcome: { status: lookup ? 'unknown' : 'fail', reason: `the signing key could not be obtained: ${rootMessage(e)}` },
      notes,
    };
  }
  try {
    await compactVerify(jwt.compact, key, { algorithms: [alg] });
  } catch (e) {
    const code = (e as { code?: string }).code;
    return {
      outcome: {
        status: 'fail',
        reason:
          code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
            ? 'the signature does not match the content: the token was changed after it was signed, or signed with another key'
            : `the signature could not be checked: ${(e as Error).message}`,
        key: signingKey,
      },
      notes,
    };
  }
  const claimProblems = compareClaims(ctx, notes, profile);
  if (claimProblems.length > 0) {
    return { outcome: { status: 'fail', reason: claimProblems.join('; '), key: signingKey, claims: true }, notes };
  }
  return { outcome: { status: 'pass', reason: '', key: signingKey }, notes };
}

/** The key for a JWT `kid`: a verification method (DID URL / controller document) or an entry of the issuer's JWKS. */
async function keyFromKid(ctx: VerifyContext, kid: string): Promise<{ key: VerifyKey; signingKey: SigningKey } | undefined> {
  const iss = typeof ctx.jwt?.payload.iss === 'string' ? ctx.jwt.payload.iss : ctx.issuerId;
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(kid) ? kid : kid.startsWith('#') && iss ? iss + kid : undefined;
  let firstError: unknown;
  if (absolute) {
    try {
      const { verificationMethod, controllerDocument } = await dereferenceVerificationMethod(absolute, ctx.resolve);
      return {
        key: publicKeyFromVerificationMethod(verificationMethod),
        signingKey: { vmId: absolute, verificationMethod, ...(controllerDocument ? { controllerDocument } : {}), source: 'kid' },
      };
    } catch (e) {
      firstError = e;
    }
  }
  // Fall back to the issuer's JWK set (OB implementation guide: https://{authority}/.well-known/jwks.json).
  if (iss) {
    const found = await findJwkInIssuerJwks(ctx, iss, (entry) => entry.kid === kid);
    if (found.jwk) {
      return { key: await importJWK(found.jwk as JWK, String(ctx.jwt?.header.alg)), signingKey: { vmId: kid, jwk: found.jwk, source: 'jwks' } };
    }
  }
  if (firstError) throw firstError;
  return undefined;
}

function compareClaims(ctx: VerifyContext, notes: string[], profile: JwtProfile): string[] {
  const p = ctx.jwt!.payload;
  const c = ctx.credential;
  const problems: string[] = [];
  if (profile === 'vc-jose-cose') return compareVcJoseCoseClaims(ctx, problems);
  const subject = Array.isArray(c.credentialSubject) ? c.credentialSubject[0] : c.credentialSubject;
  const subjectId = (subject as { id?: unknown } | undefined)?.id;
  const from = ctx.vcVersion === 1 ? c.issuanceDate : c.validFrom;
  const until = ctx.vcVersion === 1 ? c.expirationDate : c.validUntil;
  if (p.iss === undefined) notes.push('the token has no "iss" (issuer) claim');
  else if (p.iss !== ctx.issuerId) problems.push(`the token says it was issued by ${JSON.stringify(p.iss)} but the credential names ${JSON.stringify(ctx.issuerId)}`);
  if (p.jti !== undefined && c.id !== undefined && p.jti !== c.id) {
    problems.push(`the token id (jti ${JSON.stringify(p.jti)}) differs from the credential id ${JSON.stringify(c.id)}`);
  }
  if (p.sub !== undefined && subjectId !== undefined && p.sub !== subjectId) {
    problems.push(`the token subject (sub ${JSON.stringify(p.sub)}) differs from the learner id ${JSON.stringify(subjectId)}`);
  }
  const seconds = (v: unknown) => (typeof v === 'string' ? Math.floor(Date.parse(v) / 1000) : undefined);
  if (p.nbf === undefined) {
    notes.push('the token has no "nbf" (not before) claim, which Open Badges requires; the credential\'s own start date was used');
  } else if (typeof p.nbf !== 'number') {
    problems.push('the token\'s "nbf" claim is not a number');
  } else if (seconds(from) !== undefined && seconds(from) !== p.nbf) {
    notes.push(`the token's "nbf" (${new Date(p.nbf * 1000).toISOString()}) differs from the credential's start date (${String(from)})`);
  }
  if (p.exp !== undefined) {
    if (typeof p.exp !== 'number') problems.push('the token\'s "exp" claim is not a number');
    else if (until === undefined) notes.push('the token has an expiry ("exp") that the credential itself does not state');
    else if (seconds(until) !== p.exp) notes.push(`the token's "exp" differs from the credential's end date (${String(until)})`);
  }
  if (ctx.jwt!.vc11Claim && ctx.vcVersion === 2) {
    problems.push('the credential sits in a "vc" claim (VC 1.1 layout) but declares the VC 2.0 data model');
  }
  return problems;
}

/** VC-JOSE-COSE §3.1.1 and RFC 7519: no vc/vp claims, iss/jti/sub agree with the credential, exp/nbf hold now. */
function compareVcJoseCoseClaims(ctx: VerifyContext, problems: string[]): string[] {
  const p = ctx.jwt!.payload;
  const c = ctx.credential;
  for (const claim of ['vc', 'vp']) {
    if (p[claim] !== undefined) problems.push(`the token has a "${claim}" claim, which a VC-JOSE-COSE credential must not have`);
  }
  if (p.iss !== undefined && p.iss !== ctx.issuerId) {
    problems.push(`the token says it was issued by ${JSON.stringify(p.iss)} but the credential names ${JSON.stringify(ctx.issuerId)}`);
  }
  if (p.jti !== undefined && c.id !== undefined && p.jti !== c.id) {
    problems.push(`the token id (jti ${JSON.stringify(p.jti)}) differs from the credential id ${JSON.stringify(c.id)}`);
  }
  const subject = Array.isArray(c.credentialSubject) ? c.credentialSubject[0] : c.credentialSubject;
  const subjectId = (subject as { id?: unknown } | undefined)?.id;
  if (p.sub !== undefined && subjectId !== undefined && p.sub !== subjectId) {
    problems.push(`the token subject (sub ${JSON.stringify(p.sub)}) differs from the subject id ${JSON.stringify(subjectId)}`);
  }
  const now = Math.floor(ctx.now.getTime() / 1000);
  for (const claim of ['exp', 'nbf'] as const) {
    const v = p[claim];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`the token's "${claim}" claim is not a number`);
    else if (claim === 'exp' && v <= now) problems.push(`the token expired on ${new Date(v * 1000).toISOString()} ("exp")`);
    else if (claim === 'nbf' && v > now) problems.push(`the token may not be used before ${new Date(v * 1000).toISOString()} ("nbf")`);
  }
  return problems;
}

function sentenceJoin(parts: string[]): string {
  return parts.map((p) => p.charAt(0).toUpperCase() + p.slice(1).replace(/\.+$/, '')).join('. ') + '.';
}

export async function checkProof(ctx: VerifyContext): Promise<ProofResult> {
  // Who signed is not this check's to say: the signer is established by the issuer-key and issuer-trust checks.
  const pass = sentence('verify.proof.pass');
  if (ctx.format === 'jwt') {
    const profile = jwtProfileOf(ctx.jwt!.header);
    const { outcome, notes } = await verifyJwtProof(ctx, profile);
    if (outcome.status === 'pass') {
      const keys = outcome.key ? { keys: [outcome.key] } : {};
      if (notes.length === 0) return { check: { id: 'proof', status: 'pass', message: pass.text, messages: [pass], profile }, ...keys };
      return { check: { id: 'proof', status: 'warning', message: `${pass.text} However: ${notes.join('; ')}.`, profile }, ...keys };
    }
    return {
      check: {
        id: 'proof',
        profile,
        status: outcome.status,
        message: sentenceJoin([
          `${
            outcome.claims
              ? 'The JWT signature matches, but the token contradicts the credential it carries'
              : outcome.status === 'unknown'
                ? 'The JWT signature could not be checked'
                : 'The JWT signature is not valid'
          }: ${outcome.reason}`,
        ]),
      },
    };
  }
  return checkDataIntegrityProofs(ctx, pass);
}
