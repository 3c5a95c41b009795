/**
 * The holder's proof on a verifiable presentation, on `@digitalbazaar/vc`: a `DataIntegrityProof`
 * (`eddsa-rdfc-2022`) or `Ed25519Signature2020` with proof purpose `authentication`, whose key the holder's DID
 * document lists under `authentication`. Only the presentation's own proof is judged here; the credentials inside are
 * for the credential verifier (with status, schema and issuer checks).
 */
import { createDidResolver, type DidResolver } from '../did/resolve.js';
import { createDocumentLoader, type DocumentLoader } from '../lib/document-loader.js';
import type { GuardedFetch } from '../lib/guarded-fetch.js';
import { fastCryptosuite } from '../proof/fast/cryptosuite.js';
import { DataIntegrityProof, Ed25519Signature2020, vc as vcLib, type Cryptosuite } from '../proof/vendor.js';

const vc = vcLib as unknown as {
  verify(options: Record<string, unknown>): Promise<{
    verified: boolean;
    error?: unknown;
    presentationResult?: { verified: boolean; error?: unknown; results?: { verified: boolean; verificationMethod?: { controller?: unknown }; purposeResult?: { valid?: boolean; controller?: { id?: unknown } } }[] };
  }>;
};

export interface PresentationProofOptions {
  /** The challenge this verifier issued; without it the proof's own challenge is accepted (and the result says so). */
  challenge?: string;
  /** The domain this verifier issued, checked when given. */
  domain?: string;
  /** Resolves the holder's DID (did:key offline; did:web through `fetch`). */
  resolver?: DidResolver;
  fetch?: GuardedFetch;
  /** Contexts; default the bundled ones. DIDs go to the resolver either way. */
  documentLoader?: DocumentLoader;
  /** The `eddsa-rdfc-2022` implementation. Default: microcred's compiled one. */
  cryptosuite?: Cryptosuite;
}

export interface PresentationProofResult {
  verified: boolean;
  /** The presentation's `holder`, if it names one. */
  holder?: string;
  /** The DIDs whose keys made the valid proofs: who presented the set. */
  presenters: string[];
  /** False when no expected challenge was given, so replay was not ruled out. */
  challengeChecked: boolean;
  message: string;
}

/**
 * The credentials a presentation carries, with VC 2.0 `EnvelopedVerifiableCredential`s unwrapped to their JWT.
 *
 * @example
 * ```ts
 * presentedCredentials(vp); // [{ …credential… }, 'eyJhbGciOi…']
 * ```
 */
export function presentedCredentials(vp: Record<string, unknown>): unknown[] {
  const listed = vp.verifiableCredential;
  const items = listed === undefined ? [] : Array.isArray(listed) ? listed : [listed];
  return items.map((item) => {
    const env = item as { type?: unknown; id?: unknown } | null;
    if (env && typeof env === 'object' && env.type === 'EnvelopedVerifiableCredential' && typeof env.id === 'string' && env.id.startsWith('data:')) {
      return env.id.replace(/^data:[^,]*,/, '');
    }
    return item;
  });
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const id = (v as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Verifies the holder's proof on a presentation and says who presented it. Never throws for a bad presentation.
 *
 * @example
 * ```ts
 * const result = await verifyPresentationProof(vp, { challenge: 'c0ae1c8e-…', domain: 'registry.example.ac.uk' });
 * if (result.verified) console.log('presented by', result.presenters.join(', '));
 * ```
 */
export async function verifyPresentationProof(vp: Record<string, unknown>, options: PresentationProofOptions = {}): Promise<PresentationProofResult> {
  const holder = idOf(vp.holder);
  const base = { ...(holder ? { holder } : {}), presenters: [] as string[] };
  const rawProof = vp.proof;
  const proofs = (Array.isArray(rawProof) ? rawProof : rawProof ? [rawProof] : []) as Record<string, unknown>[];
  if (proofs.length === 0) {
    return { ...base, verified: false, challengeChecked: false, message: 'The presentation carries no proof, so it is not known who presented it.' };
  }
  const ownChallenge = proofs.map((p) => p.challenge).find((c): c is string => typeof c === 'string');
  const challenge = options.challenge ?? ownChallenge;
  if (challenge === undefined) {
    return { ...base, verified: false, challengeChecked: false, message: "The presentation's proof has no challenge, so it could have been made for anyone at any time." };
  }
  const resolver = options.resolver ?? createDidResolver(options.fetch ? { fetch: options.fetch } : {});
  const contexts = options.documentLoader;
  const bundled = createDocumentLoader({ resolve: resolver });
  const documentLoader: DocumentLoader = contexts
    ? async (url) => {
        try {
          return await contexts(url);
        } catch {
          return bundled(url);
        }
      }
    : bundled;
  const result = await vc
    .verify({
      presentation: vp,
      challenge,
      ...(options.domain !== undefined ? { domain: options.domain } : {}),
      suite: [new DataIntegrityProof({ cryptosuite: options.cryptosuite ?? fastCryptosuite() }), new Ed25519Signature2020()],
      documentLoader,
      // Only the presentation's proof is read; credentials are verified by the credential verifier.
      checkStatus: async () => ({ verified: true }),
    })
    .catch((e: unknown) => ({ verified: false, error: e, presentationResult: { verified: false, results: [] } }));
  const pr = result.presentationResult;
  const presenters = [
    ...new Set(
      (pr?.results ?? [])
        .filter((r) => r.verified && r.purposeResult?.valid !== false)
        .map((r) => idOf(r.purposeResult?.controller) ?? idOf(r.verificationMethod?.controller))
        .filter((d): d is string => !!d),
    ),
  ];
  const challengeChecked = options.challenge !== undefined;
  if (pr?.verified !== true || presenters.length === 0) {
    return {
      ...base,
      verified: false,
      challengeChecked,
      message: `The holder's signature on the presentation could not be verified${options.challenge !== undefined ? ' for the expected challenge' + (options.domain ? ' and domain' : '') : ''}.`,
    };
  }
  if (holder !== undefined && !presenters.includes(holder)) {
    return {
      ...base,
      presenters: [],
      verified: false,
      challengeChecked,
      message: `The presentation names ${holder} as its holder but was signed by ${presenters.join(', ')}.`,
    };
  }
  return { ...base, presenters, verified: true, challengeChecked, message: `The presentation was signed by its holder ${presenters.join(', ')}.` };
}
