/**
 * Internal: who the holder is. A VC-API wallet proves its DID with a DIDAuth presentation (a VP signed with
 * `proofPurpose: authentication`, the exchange's challenge and domain); an OID4VCI wallet with a key proof JWT whose
 * key is a `did:key`, a `did:jwk` or a bare `jwk` (the latter becomes a `did:jwk`, so the subject is always a DID).
 */
import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { createDidResolver } from '../../did/resolve.js';
import { didKeyDocument } from '../../did/key.js';
import { publicKeyFromVerificationMethod } from '../../did/verification-key.js';
import { createDocumentLoader } from '../../lib/document-loader.js';
import type { DocumentLoader } from '../../lib/document-loader.js';
import { MicrocredError } from '../../errors.js';
import { DataIntegrityProof, Ed25519Signature2020, vc as vcLib } from '../../proof/vendor.js';
import type { ServiceContext } from '../context.js';

const vc = vcLib as unknown as {
  verify(options: Record<string, unknown>): Promise<{
    verified: boolean;
    error?: unknown;
    presentationResult?: {
      verified: boolean;
      error?: unknown;
      results?: { verified: boolean; error?: unknown; verificationMethod?: { id?: unknown; controller?: unknown }; purposeResult?: { valid?: boolean; controller?: { id?: unknown } } }[];
    };
  }>;
};

/** Why a DIDAuth presentation is refused (a stable code for the caller's problem type). */
export type DidAuthFailure =
  | 'presentation-malformed'
  | 'challenge-missing'
  | 'domain-mismatch'
  | 'holder-method'
  | 'signature-invalid'
  | 'holder-mismatch';

export type DidAuthResult = { ok: true; holder: string; challenge: string } | { ok: false; code: DidAuthFailure; message: string };

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const id = (v as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** The proofs of a presentation (a single object or an array). */
function proofsOf(vp: Record<string, unknown>): Record<string, unknown>[] {
  const p = vp.proof;
  const list = Array.isArray(p) ? p : p !== undefined && p !== null ? [p] : [];
  return list.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x));
}

/**
 * The challenge a DIDAuth presentation was signed for (read before it is verified, to find the exchange it answers).
 *
 * @example
 * ```ts
 * const challenge = presentationChallenge(vp); // the proof's "challenge", or undefined
 * ```
 */
export function presentationChallenge(vp: unknown): string | undefined {
  if (!vp || typeof vp !== 'object' || Array.isArray(vp)) return undefined;
  const found = proofsOf(vp as Record<string, unknown>).map((p) => p.challenge).find((c): c is string => typeof c === 'string' && c !== '');
  return found;
}

let holderLoader: DocumentLoader | undefined;
/** Contexts plus did:key documents, built offline; any other DID is never fetched. */
function didKeyLoader(): DocumentLoader {
  if (!holderLoader) {
    const resolve = createDidResolver({
      fetch: async (url) => {
        throw new MicrocredError('FETCH_BLOCKED', `Holder documents are not fetched (${url}); only did:key holders are accepted.`);
      },
      cacheTtlMs: 0,
    });
    holderLoader = createDocumentLoader({ resolve: async (url) => (url.startsWith('did:key:') ? resolve(url) : undefined) });
  }
  return holderLoader;
}

/**
 * Verifies a DIDAuth presentation as VC-API exchanges ask for it: a proof with purpose `authentication` over the
 * expected challenge (and domain, when one was asked for), made with a key of a `did:key` that is the
 * presentation's `holder` (when it names one). `Ed25519Signature2020` (what LCW signs with) and `DataIntegrityProof`
 * `eddsa-rdfc-2022` are accepted. Never throws for a bad presentation.
 *
 * @example
 * ```ts
 * const result = await verifyDidAuth(ctx, body.verifiablePresentation, { challenge, domain: 'creds.example.ac.uk' });
 * if (result.ok) console.log('the holder is', result.holder);
 * ```
 */
export async function verifyDidAuth(ctx: ServiceContext, vpIn: unknown, expected: { challenge: string; domain?: string }): Promise<DidAuthResult> {
  if (!vpIn || typeof vpIn !== 'object' || Array.isArray(vpIn)) {
    return { ok: false, code: 'presentation-malformed', message: 'verifiablePresentation must be a JSON object (a presentation signed by the wallet).' };
  }
  const vp = vpIn as Record<string, unknown>;
  const types = Array.isArray(vp.type) ? vp.type : [vp.type];
  if (!types.includes('VerifiablePresentation')) {
    return { ok: false, code: 'presentation-malformed', message: 'verifiablePresentation must have type "VerifiablePresentation".' };
  }
  const proofs = proofsOf(vp);
  const auth = proofs.filter((p) => p.proofPurpose === 'authentication');
  if (auth.length === 0) {
    return { ok: false, code: 'presentation-malformed', message: 'The presentation carries no proof with proofPurpose "authentication": sign it for DID authentication.' };
  }
  if (!auth.some((p) => p.challenge === expected.challenge)) {
    return { ok: false, code: 'challenge-missing', message: 'The presentation was not signed for the challenge this exchange issued.' };
  }
  if (expected.domain !== undefined && !auth.some((p) => p.domain === expected.domain)) {
    const found = auth.map((p) => p.domain).find((d) => d !== undefined);
    return {
      ok: false,
      code: 'domain-mismatch',
      message: `The presentation was signed for the domain ${JSON.stringify(found) ?? '(none)'}, not ${JSON.stringify(expected.domain)}.`,
    };
  }
  const holder = idOf(vp.holder);
  const methods = auth.map((p) => (typeof p.verificationMethod === 'string' ? p.verificationMethod.split('#')[0] : undefined));
  if (methods.some((m) => m === undefined || !m.startsWith('did:key:')) || (holder !== undefined && !holder.startsWith('did:key:'))) {
    return { ok: false, code: 'holder-method', message: 'Only did:key holders are accepted here (acceptedMethods: key).' };
  }
  const result = await vc
    .verify({
      presentation: vp,
      challenge: expected.challenge,
      ...(expected.domain !== undefined ? { domain: expected.domain } : {}),
      suite: [new DataIntegrityProof({ cryptosuite: ctx.cryptosuite }), new Ed25519Signature2020()],
      documentLoader: didKeyLoader(),
      // The presentation answers a DIDAuth request; credentials inside it, if any, are not what is being claimed.
      checkStatus: async () => ({ verified: true }),
    })
    .catch((e: unknown) => ({ verified: false, error: e, presentationResult: { verified: false, results: [] } }));
  const results = result.presentationResult?.results ?? [];
  const signers = [
    ...new Set(
      results
        .filter((r) => r.verified && r.purposeResult?.valid !== false)
        .map((r) => idOf(r.purposeResult?.controller) ?? idOf(r.verificationMethod?.controller))
        .filter((d): d is string => !!d),
    ),
  ];
  if (result.presentationResult?.verified !== true || signers.length === 0) {
    return { ok: false, code: 'signature-invalid', message: "The wallet's signature on the presentation does not verify." };
  }
  if (holder !== undefined && !signers.includes(holder)) {
    return { ok: false, code: 'holder-mismatch', message: `The presentation names ${holder} as its holder but was signed by ${signers.join(', ')}.` };
  }
  return { ok: true, holder: holder ?? (signers[0] as string), challenge: expected.challenge };
}

/**
 * `did:jwk` of a public JWK (RFC 7515 members only, so equal keys give equal DIDs).
 *
 * @example
 * ```ts
 * didJwk({ kty: 'OKP', crv: 'Ed25519', x: '…' }); // 'did:jwk:eyJjcnYiOi…'
 * ```
 */
export function didJwk(jwk: Record<string, unknown>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : jwk.kty === 'OKP' ? ['crv', 'kty', 'x'] : jwk.kty === 'RSA' ? ['e', 'kty', 'n'] : Object.keys(jwk).sort();
  const pub: Record<string, unknown> = {};
  for (const m of members) if (jwk[m] !== undefined) pub[m] = jwk[m];
  return `did:jwk:${Buffer.from(JSON.stringify(pub), 'utf8').toString('base64url')}`;
}

/**
 * The public key behind a key proof's signer: a `did:key` or `did:jwk` URL (a JWT `kid`), or a JWK.
 *
 * @throws MicrocredError `UNSUPPORTED` for any other DID method, `DID_RESOLUTION_FAILED` for a malformed one.
 * @example
 * ```ts
 * const { did, key, jwk } = holderKey({ didUrl: 'did:key:z6Mk…#z6Mk…' });
 * ```
 */
export function holderKey(signer: { didUrl?: string; jwk?: Record<string, unknown> }): { did: string; key: KeyObject; jwk: JsonWebKey } {
  if (signer.didUrl !== undefined) {
    const did = signer.didUrl.split('#')[0] as string;
    if (did.startsWith('did:key:')) {
      const doc = didKeyDocument(did);
      const vm = doc.verificationMethod[0];
      const fragment = signer.didUrl.includes('#') ? signer.didUrl : `${did}#${did.slice('did:key:'.length)}`;
      if (!vm || (signer.didUrl.includes('#') && vm.id !== fragment)) {
        throw new MicrocredError('DID_RESOLUTION_FAILED', `${signer.didUrl} is not the verification method of ${did}.`);
      }
      const key = publicKeyFromVerificationMethod(vm as unknown as Record<string, unknown>);
      return { did, key, jwk: key.export({ format: 'jwk' }) };
    }
    if (did.startsWith('did:jwk:')) {
      let jwk: Record<string, unknown>;
      try {
        jwk = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new MicrocredError('DID_RESOLUTION_FAILED', `${did} does not hold a base64url JSON Web Key.`);
      }
      if (!jwk || typeof jwk !== 'object' || 'd' in jwk) throw new MicrocredError('DID_RESOLUTION_FAILED', `${did} does not hold a public JSON Web Key.`);
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      return { did, key, jwk: key.export({ format: 'jwk' }) };
    }
    throw new MicrocredError('UNSUPPORTED', `Key proofs must name a did:key or did:jwk (or carry a jwk); ${JSON.stringify(did)} is neither.`);
  }
  if (signer.jwk) {
    if ('d' in signer.jwk) throw new MicrocredError('UNSUPPORTED', 'The key proof carries a private key ("d" in its jwk); send the public key only.');
    const key = createPublicKey({ key: signer.jwk as JsonWebKey, format: 'jwk' });
    const jwk = key.export({ format: 'jwk' });
    return { did: didJwk(jwk as Record<string, unknown>), key, jwk };
  }
  throw new MicrocredError('UNSUPPORTED', 'The key proof names no key: give a kid (did:key or did:jwk) or a jwk.');
}
