/**
 * Worker of the fast Data Integrity pool (internal): issues or verifies a chunk of credentials with the fast
 * cryptosuite inside the stock `@digitalbazaar/vc` pipeline.
 */
import { parentPort } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
// @ts-ignore -- untyped package
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- untyped package
import { DataIntegrityProof as DIP } from '@digitalbazaar/data-integrity';
import { createFastCryptosuite } from './cryptosuite.js';
import { createKeyObjectSigner } from './signer.js';
import { poolDocumentLoader } from './resolver.js';

type Json = Record<string, unknown>;
const vc = vcLib as {
  issue(o: { credential: object; suite: unknown; documentLoader: unknown }): Promise<Json>;
  verifyCredential(o: { credential: object; suite: unknown; documentLoader: unknown; checkStatus?: () => Promise<unknown> }): Promise<{ verified: boolean; error?: unknown }>;
};
const DataIntegrityProof = DIP as new (o: { signer?: unknown; date?: string | Date; cryptosuite: unknown }) => unknown;

export type PoolRequest =
  | { job: number; op: 'init'; controllerDocuments: Record<string, object> }
  | { job: number; op: 'issue'; credentials: Json[]; signerId: string; privateKey: KeyObject; created?: string }
  | { job: number; op: 'issue-json'; texts: string[]; signerId: string; privateKey: KeyObject; created?: string }
  | { job: number; op: 'verify'; credentials: Json[] };

/** Issue: the new `proof` member (the caller attaches it to its own copy), or the `full` signed credential. */
export type PoolItemResult = { ok: true; proof?: Json; full?: Json } | { ok: false; error: string };
/** Issue from JSON text: the signed credential's JSON text. */
export type PoolJsonResult = { ok: true; json: string } | { ok: false; error: string };
export type PoolResponse = { job: number; results: PoolItemResult[] | PoolJsonResult[] | { verified: boolean; error?: string }[] } | { job: number; fatal: string };

const cryptosuite = createFastCryptosuite({ onWarning: (m) => process.emitWarning(m) });
let documentLoader = poolDocumentLoader();
const skipStatus = async () => ({ verified: true });

/** The error text, with the nested causes `verifyCredential` wraps in "Verification error(s)." */
function message(e: unknown, depth = 0): string {
  if (e && typeof e === 'object') {
    const nested = (e as { errors?: unknown }).errors;
    if (Array.isArray(nested) && nested.length > 0 && depth < 3) return nested.map((n) => message(n, depth + 1)).join('; ');
    if ('message' in e) return String((e as Error).message);
  }
  return String(e);
}

/** Signs each item with a fresh proof of the request's key, in order; an item that fails gets its error. */
async function signEach<I, R>(
  req: { signerId: string; privateKey: KeyObject; created?: string },
  items: I[],
  sign: (item: I, suite: unknown) => Promise<R>,
): Promise<(R | { ok: false; error: string })[]> {
  const signer = createKeyObjectSigner({ id: req.signerId, privateKey: req.privateKey });
  const results: (R | { ok: false; error: string })[] = [];
  for (const item of items) {
    try {
      results.push(await sign(item, new DataIntegrityProof({ signer, cryptosuite, ...(req.created ? { date: req.created } : {}) })));
    } catch (e) {
      results.push({ ok: false, error: message(e) });
    }
  }
  return results;
}

async function handle(req: PoolRequest): Promise<PoolResponse> {
  if (req.op === 'init') {
    documentLoader = poolDocumentLoader(req.controllerDocuments);
    await cryptosuite.ready;
    return { job: req.job, results: [] };
  }
  if (req.op === 'issue-json') {
    const results = await signEach(req, req.texts, async (text, suite) => ({
      ok: true as const,
      json: JSON.stringify(await vc.issue({ credential: JSON.parse(text) as Json, suite, documentLoader })),
    }));
    return { job: req.job, results };
  }
  if (req.op === 'issue') {
    const results = await signEach(req, req.credentials, async (credential, suite): Promise<PoolItemResult> => {
      // Only the proof travels back (structured clone of whole credentials would load the main thread).
      const before = new Map(Object.entries(credential));
      const signed = await vc.issue({ credential, suite, documentLoader });
      // vc.issue may change other members (e.g. add the Data Integrity context or issuanceDate to a VC 1.1
      // credential): then the whole credential travels back.
      const onlyProof =
        Object.keys(signed).length === before.size + (before.has('proof') ? 0 : 1) &&
        Object.entries(signed).every(([k, v]) => k === 'proof' || (before.has(k) && before.get(k) === v));
      return onlyProof ? { ok: true, proof: signed.proof as Json } : { ok: true, full: signed };
    });
    return { job: req.job, results };
  }
  const suite = new DataIntegrityProof({ cryptosuite });
  const results: { verified: boolean; error?: string }[] = [];
  for (const credential of req.credentials) {
    try {
      const r = await vc.verifyCredential({ credential, suite, documentLoader, checkStatus: skipStatus });
      results.push(r.verified ? { verified: true } : { verified: false, error: message(r.error) });
    } catch (e) {
      results.push({ verified: false, error: message(e) });
    }
  }
  return { job: req.job, results };
}

parentPort?.on('message', (req: PoolRequest) => {
  handle(req).then(
    (res) => parentPort?.postMessage(res),
    (e) => parentPort?.postMessage({ job: req.job, fatal: message(e) }),
  );
});
