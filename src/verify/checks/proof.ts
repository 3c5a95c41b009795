/**
 * Check "proof": the signature.
 *
 * Data Integrity: every proof of a supported kind is tried and any one valid proof suffices (OB 3.0 §8); unknown
 * proof types are ignored and mentioned. Supported: `DataIntegrityProof` with `eddsa-rdfc-2022`, the same with the
 * legacy name `eddsa-2022`, and `Ed25519Signature2020`. The legacy name is handled by a cryptosuite object that is
 * the `eddsa-rdfc-2022` one under the name `eddsa-2022`: the algorithm is identical and the name itself is part of
 * the signed proof options, so the Digital Bazaar suite verifies it unchanged (no hand-written canonicalisation).
 * Each proof is verified by the suite's own `verifyProof`; the proof purpose must be `assertionMethod`. Whether the
 * key belongs to the issuer is the "issuer-key" check. `eddsa-jcs-2022` and `ecdsa-rdfc-2019` proofs get their
 * verifier from `cryptosuiteVerifier` (src/proof/suites.ts).
 *
 * JWT: two profiles, told apart by the header (`jwtProfileOf`) and named on the check (`profile`): the Open Badges
 * 3.0 VC-JWT and W3C VC-JOSE-COSE (`typ: vc+jwt`). A header marking any parameter critical (`crit`) is refused:
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
import { publicKeyFromVerificationMethod } from '../../did/verification-key.js';
import type { DocumentLoader } from '../../lib/document-loader.js';
import type { Check, SigningKey, VerifyContext } from '../types.js';
import { findJwkInIssuerJwks } from './issuer-key.js';
import { findCause, isFetchProblem, rootMessage } from './util.js';

const DI_V1 = 'https://w3id.org/security/data-integrity/v1';
const VC2 = 'https://www.w3.org/ns/credentials/v2';
const JWT_ALGS = ['RS256', 'ES256', 'ES384', 'EdDSA'];
type VerifyKey = KeyObject | Awaited<ReturnType<typeof importJWK>>;

type Outcome = { status: 'pass' | 'fail' | 'unknown'; reason: string; key?: SigningKey; /** JWT: signature fine, claims contradict the credential. */ claims?: boolean };

export interface ProofResult {
  check: Check;
  /** The key of the accepted signature. */
  key?: SigningKey;
}

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

async function verifyDataIntegrityProof(ctx: VerifyContext, proof: Record<string, unknown>, suite: ProofVerifier): Promise<Outcome> {
  if (proof.proofPurpose !== 'assertionMethod') {
    return { status: 'fail', reason: `the proof was made for "${String(proof.proofPurpose)}", not for issuing credentials ("assertionMethod")` };
  }
  const vmId = typeof proof.verificationMethod === 'string' ? proof.verificationMethod : (proof.verificationMethod as { id?: string } | undefined)?.id;
  if (!vmId) return { status: 'fail', reason: 'the proof does not say which key made it (no verificationMethod)' };
  let deref: Awaited<ReturnType<typeof dereferenceVerificationMethod>>;
  try {
    deref = await dereferenceVerificationMethod(vmId, ctx.resolve);
  } catch (e) {
    return { status: isFetchProblem(e) ? 'unknown' : 'fail', reason: `the signing key ${vmId} could not be found: ${rootMessage(e)}` };
  }
  const vm = deref.verificationMethod;
  // The suites load the key through the document loader: hand them the method we already dereferenced.
  const keyDoc =
    vm.type === 'Ed25519VerificationKey2020'
      ? { '@context': 'https://w3id.org/security/suites/ed25519-2020/v1', ...vm }
      : vm.type === 'Multikey'
        ? { '@context': 'https://w3id.org/security/multikey/v1', ...vm }
        : vm;
  const documentLoader: DocumentLoader = async (url) =>
    url === vmId ? { contextUrl: null, documentUrl: url, document: keyDoc } : ctx.documentLoader(url);
  const document = { ...ctx.credential };
  delete document.proof;
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
    vmId,
    verificationMethod: vm,
    ...(deref.controllerDocument ? { controllerDocument: deref.controllerDocument } : {}),
  };
  if (result.verified) return { status: 'pass', reason: '', key };
  const unknownContext = findCause(result.error, (x) => (x instanceof MicrocredError && x.code === 'UNKNOWN_CONTEXT' ? x : undefined));
  if (unknownContext) return { status: 'fail', reason: unknownContext.message };
  const message = rootMessage(result.error);
  if (/invalid signature/i.test(message)) {
    return {
      status: 'fail',
      reason: 'the signature does not match the content: the credential was changed after it was signed, or signed with another key',
      key,
    };
  }
  return { status: 'fail', reason: `the signature could not be checked: ${message}`, key };
}

async function verifyJwtProof(ctx: VerifyContext, profile: JwtProfile): Promise<{ outcome: Outcome; notes: string[] }> {
  const jwt = ctx.jwt!;
  const header = jwt.header;
  const notes: string[] = [];
  const alg = header.alg;
  if (header.crit !== undefined) {
    const names = Array.isArray(header.crit) ? header.crit.map((c) => JSON.stringify(c)).join(', ') : JSON.stringify(header.crit);
    return {
      outcome: {
        status: 'fail',
        reason: `the JWT header marks ${names} as critical ("crit"), an extension microcred does not understand, so the token must be refused`,
      },
      notes,
    };
  }
  if (typeof alg !== 'string' || !JWT_ALGS.includes(alg)) {
    return { outcome: { status: 'fail', reason: `the JWT uses the algorithm ${JSON.stringify(alg)}; microcred accepts RS256, ES256, ES384 and EdDSA` }, notes };
  }
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
        return { outcome: { status: 'fail', reason: `the key ${header.kid} named by the JWT could not be found` }, notes };
      }
      key = resolved.key;
      signingKey = resolved.signingKey;
    } else {
      return { outcome: { status: 'fail', reason: 'the JWT header names no key (it needs "kid" or "jwk")' }, notes };
    }
  } catch (e) {
    return {
      outcome: { status: isFetchProblem(e) ? 'unknown' : 'fail', reason: `the signing key could not be obtained: ${rootMessage(e)}` },
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
  const signer = ctx.issuerName;
  const passMessage = `The signature matches: the credential has not been changed since ${signer} signed it.`;
  if (ctx.format === 'jwt') {
    const profile = jwtProfileOf(ctx.jwt!.header);
    const { outcome, notes } = await verifyJwtProof(ctx, profile);
    if (outcome.status === 'pass') {
      if (notes.length === 0) return { check: { id: 'proof', status: 'pass', message: passMessage, profile }, ...(outcome.key ? { key: outcome.key } : {}) };
      return {
        check: { id: 'proof', status: 'warning', message: `${passMessage} However: ${notes.join('; ')}.`, profile },
        ...(outcome.key ? { key: outcome.key } : {}),
      };
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
  const raw = ctx.credential.proof;
  const proofs = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (p): p is Record<string, unknown> => p !== null && typeof p === 'object' && !Array.isArray(p),
  );
  if (proofs.length === 0) {
    return { check: { id: 'proof', status: 'fail', message: 'The credential is not signed, so nobody can tell who issued it or whether it was changed.' } };
  }
  const ignored: string[] = [];
  const outcomes: Outcome[] = [];
  for (const proof of proofs) {
    const suite = suiteFor(proof, ctx.credential, ctx.options.cryptosuite ?? fastCryptosuite());
    if (!suite) {
      ignored.push(proofLabel(proof));
      continue;
    }
    const outcome = await verifyDataIntegrityProof(ctx, proof, suite);
    outcomes.push(outcome);
    if (outcome.status === 'pass') break;
  }
  const ignoredNote = ignored.length > 0 ? ` A signature of a kind microcred does not support (${ignored.join(', ')}) was ignored.` : '';
  const accepted = outcomes.find((o) => o.status === 'pass');
  if (accepted) {
    return { check: { id: 'proof', status: 'pass', message: passMessage + ignoredNote }, ...(accepted.key ? { key: accepted.key } : {}) };
  }
  if (outcomes.length === 0) {
    return {
      check: {
        id: 'proof',
        status: 'fail',
        message: `The credential's signature uses a method microcred does not support (${ignored.join(', ')}), so it could not be checked.`,
      },
    };
  }
  const failed = outcomes.find((o) => o.status === 'fail');
  const chosen = failed ?? (outcomes[0] as Outcome);
  return {
    check: {
      id: 'proof',
      status: chosen.status,
      message:
        sentenceJoin([`${chosen.status === 'unknown' ? 'The signature could not be checked' : 'The signature is not valid'}: ${chosen.reason}`]) +
        ignoredNote,
    },
  };
}
