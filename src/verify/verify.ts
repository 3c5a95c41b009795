/**
 * The verifier: one report with one entry per check (parse, context, schema, profile, proof, issuer-key, issuer-trust,
 * validity, status, endorsements), each with a plain sentence, and who signed as proven (`signer`, issuer-trust.ts).
 * `verified` is true only when no check failed and no check is
 * unknown: a credential whose status list could not be fetched is reported as not verified, with status "unknown"
 * saying why. Embedded endorsements get reports of their own (`endorsements`); see checks/endorsements.ts for why
 * a failed endorsement is a warning on the credential rather than a failure.
 * Contexts come only from the bundled copies; keys, DID documents and status lists are fetched through the guarded
 * fetch, and every collaborator (document loader, resolver, fetch, clock) can be passed in.
 */
import { createDocumentLoader, type DocumentLoader } from '../lib/document-loader.js';
import { createGuardedFetch, type GuardedFetch } from '../lib/guarded-fetch.js';
import { createDidResolver, type DidResolver } from '../did/resolve.js';
import { MicrocredError } from '../errors.js';
import { parseInput } from './checks/parse.js';
import { checkContext } from './checks/context.js';
import { checkSchema } from './checks/schema.js';
import { checkProfile } from './checks/profile.js';
import { checkProof } from './checks/proof.js';
import { checkIssuerKey } from './checks/issuer-key.js';
import { checkIssuerTrust } from './checks/issuer-trust.js';
import { checkValidity } from './checks/validity.js';
import { checkStatus } from './checks/status.js';
import { checkEndorsements, findEndorsements } from './checks/endorsements.js';
import { withNested } from './nested.js';
import { CHECK_ORDER, type Check, type EndorsementReport, type VerificationReport, type VerifyContext, type VerifyOptions } from './types.js';

export { isCompactJws } from '../lib/jws.js';
export type { Check, CheckDetail, CheckId, CheckStatus, EndorsementReport, NestedVerification, ProvenSigner, VerificationReport, VerifyOptions } from './types.js';

let defaultFetch: GuardedFetch | undefined;
let defaultResolver: DidResolver | undefined;

function collaborators(options: VerifyOptions): { fetch: GuardedFetch; resolve: DidResolver; documentLoader: DocumentLoader } {
  const custom = options.allowHttp || options.allowPrivateNetwork || options.timeoutMs !== undefined;
  const fetch =
    options.fetch ??
    (custom
      ? createGuardedFetch({
          allowHttp: options.allowHttp ?? false,
          allowPrivateNetwork: options.allowPrivateNetwork ?? false,
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        })
      : (defaultFetch ??= createGuardedFetch()));
  const resolve =
    options.resolver ??
    options.resolveDid ??
    (options.fetch || custom ? createDidResolver({ fetch }) : (defaultResolver ??= createDidResolver({ fetch })));
  const documentLoader = options.documentLoader ?? createDocumentLoader({ resolve });
  return { fetch, resolve, documentLoader };
}

function issuerOf(credential: Record<string, unknown>): { id: string | undefined; name: string } {
  const issuer = credential.issuer;
  const id = typeof issuer === 'string' ? issuer : typeof (issuer as { id?: unknown })?.id === 'string' ? ((issuer as { id: string }).id) : undefined;
  const rawName = (issuer as { name?: unknown } | undefined)?.name;
  const name = typeof rawName === 'string' && rawName.trim() ? rawName.trim() : id ? `the issuer ${id}` : 'the issuer';
  return { id, name };
}

/** The context with a fetch that refuses every URL: DIDs that resolve offline (did:key) still do. */
function offline(ctx: VerifyContext): VerifyContext {
  const fetch: GuardedFetch = async (url) => {
    throw new MicrocredError(
      'FETCH_BLOCKED',
      `${url} was not fetched: the credential does not follow the VC Data Model (see the parse check), and nothing such a credential names is fetched.`,
      { url },
    );
  };
  const resolve = createDidResolver({ fetch, cacheTtlMs: 0 });
  return { ...ctx, fetch, resolve, documentLoader: ctx.options.documentLoader ?? createDocumentLoader({ resolve }) };
}

function skipped(id: Check['id'], why: string): Check {
  return { id, status: 'not-applicable', message: `Not checked: ${why}.` };
}

function finish(checks: Check[], extra: Omit<VerificationReport, 'verified' | 'checks'> = {}): VerificationReport {
  const ordered = CHECK_ORDER.map((id) => checks.find((c) => c.id === id) as Check);
  const verified = ordered.every((c) => c.status !== 'fail' && c.status !== 'unknown');
  return { verified, checks: ordered, ...extra };
}

/**
 * Verifies an Open Badges 3.0 credential given as a JSON object, JSON text, a compact JWT, or a JSON string holding a
 * JWT. Never throws for a bad credential: problems are reported in the checks.
 *
 * @example
 * ```ts
 * const report = await verify(signedCredential, { now: new Date('2025-06-01T00:00:00Z') });
 * if (!report.verified) {
 *   for (const c of report.checks) if (c.status === 'fail' || c.status === 'unknown') console.log(c.id, c.message);
 * }
 * console.log(formatReport(report));
 * ```
 */
export async function verify(input: string | object, options: VerifyOptions = {}): Promise<VerificationReport> {
  return verifyAt(input, options, 0);
}

/** `depth`: 0 for the credential asked about, 1 for its endorsements, and so on. */
async function verifyAt(input: string | object, options: VerifyOptions, depth: number): Promise<VerificationReport> {
  const parsed = parseInput(input);
  if (!parsed.credential) {
    const why = 'the credential could not be read';
    return finish([parsed.check, ...CHECK_ORDER.slice(1).map((id) => skipped(id, why))]);
  }
  const { fetch, resolve, documentLoader } = collaborators(options);
  const issuer = issuerOf(parsed.credential);
  const now = options.now === undefined ? new Date() : new Date(options.now);
  const ctx: VerifyContext = {
    credential: parsed.credential,
    format: parsed.format,
    ...(parsed.jwt ? { jwt: parsed.jwt } : {}),
    vcVersion: parsed.vcVersion,
    issuerId: issuer.id,
    issuerName: issuer.name,
    now: Number.isNaN(now.getTime()) ? new Date() : now,
    resolve,
    fetch,
    documentLoader,
    options,
  };
  // Credentials embedded in a CLR transcript: each verified on its own, one level deep (verify/nested.ts).
  const nested = (report: VerificationReport): Promise<VerificationReport> =>
    options.verifyNested === false
      ? Promise.resolve(report)
      : withNested(report, (doc) => verify(doc, { ...options, fetch, resolver: resolve, documentLoader, verifyNested: false }));
  const checks: Check[] = [parsed.check];
  const context = await checkContext(ctx);
  checks.push(context, checkSchema(ctx), checkProfile(ctx));
  // A credential that breaks the data model is refused (the parse check names the rules) and nothing it names is
  // fetched for it; its signature is still checked where that needs no network (did:key), for a complete report.
  const proofCtx = parsed.conforming === false ? offline(ctx) : ctx;
  if (context.status === 'fail' && ctx.format === 'di') {
    // Without known contexts the signed data cannot be reconstructed.
    checks.push(skipped('proof', 'the credential uses contexts microcred does not know, so its signature cannot be checked'));
    checks.push(skipped('issuer-key', 'no valid signature was found'));
  } else {
    const proof = await checkProof(proofCtx);
    checks.push(proof.check, await checkIssuerKey(proofCtx, proof.keys, proof.check.status));
  }
  const trust = await checkIssuerTrust(ctx, checks.find((c) => c.id === 'issuer-key') as Check);
  checks.push(trust.check, checkValidity(ctx));
  const extra = { credential: parsed.credential, ...(parsed.format ? { format: parsed.format } : {}), ...(trust.signer ? { signer: trust.signer } : {}) };
  if (parsed.conforming === false) {
    const why = 'the credential does not follow the VC Data Model (see the parse check), so nothing it names was fetched';
    checks.push(skipped('status', why), skipped('endorsements', why));
    return finish(checks, extra);
  }
  const proofStatus = checks.find((c) => c.id === 'proof')?.status;
  if (proofStatus !== 'pass' && proofStatus !== 'warning') {
    // The status list and the endorsements' keys are named by the credential itself: fetch nothing on behalf of a
    // credential whose signature is forged, unreadable or could not be checked.
    const why =
      proofStatus === 'unknown'
        ? 'the signature could not be checked, so the status information in the credential cannot be trusted yet'
        : 'the signature is not valid, so the status information in the credential cannot be trusted';
    checks.push(skipped('status', why));
    checks.push(endorsementsSkipped(parsed.credential, proofStatus));
    return nested(finish(checks, extra));
  }
  // A status list is itself a credential: verify it with the same collaborators, without looking at its own status.
  const verifyList = (doc: string | Record<string, unknown>) =>
    verify(doc, { ...options, fetch, resolver: resolve, documentLoader, checkStatus: false, checkEndorsements: false, trust: undefined });
  checks.push(await checkStatus(ctx, verifyList));
  let endorsements: EndorsementReport[] = [];
  if (options.checkEndorsements === false) {
    checks.push({ id: 'endorsements', status: 'not-applicable', message: 'Endorsements were not checked (turned off).' });
  } else {
    const shared = { ...options, fetch, resolver: resolve, documentLoader };
    const result = await checkEndorsements(findEndorsements(parsed.credential), depth + 1, (e) => verifyAt(e, shared, depth + 1));
    checks.push(result.check);
    endorsements = result.reports;
  }
  return nested(finish(checks, { ...extra, ...(endorsements.length ? { endorsements } : {}) }));
}

function endorsementsSkipped(credential: Record<string, unknown>, proofStatus: Check['status'] | undefined): Check {
  if (findEndorsements(credential).length === 0) {
    return { id: 'endorsements', status: 'not-applicable', message: 'The credential carries no endorsements.' };
  }
  return skipped(
    'endorsements',
    proofStatus === 'unknown'
      ? "the credential's own signature could not be checked, so its endorsements were not looked at"
      : "the credential's own signature is not valid, so its endorsements cannot be trusted",
  );
}
