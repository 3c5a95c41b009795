/**
 * Typed view of the untyped Digital Bazaar packages used for Data Integrity proofs (internal). They ship no
 * TypeScript declarations; declaring only what we call here keeps the rest of the code strictly typed without
 * global ambient module declarations that other modules could collide with.
 */
// @ts-ignore -- package has no type declarations; typed below
import * as vcLib from '@digitalbazaar/vc';
// @ts-ignore -- package has no type declarations; typed below
import { DataIntegrityProof as DataIntegrityProofLib } from '@digitalbazaar/data-integrity';
// @ts-ignore -- package has no type declarations; typed below
import { cryptosuite as eddsaRdfc2022Lib } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
// @ts-ignore -- package has no type declarations; typed below
import { Ed25519Signature2020 as Ed25519Signature2020Lib } from '@digitalbazaar/ed25519-signature-2020';
// @ts-ignore -- package has no type declarations; typed below
import { cryptosuite as ecdsaRdfc2019Lib } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import type { DocumentLoader } from '../lib/document-loader.js';
import type { Signer } from '../keyset/keyset.js';

/**
 * A Data Integrity cryptosuite object as `@digitalbazaar/data-integrity` consumes it. A faster implementation of
 * `eddsa-rdfc-2022` can be plugged in by passing another object with the same `name`.
 */
export interface Cryptosuite {
  name: string;
  requiredAlgorithm: string | string[];
  canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
  createVerifier(options: { verificationMethod: unknown }): Promise<unknown>;
  [extra: string]: unknown;
}

/** A `DataIntegrityProof` suite instance (opaque to us). */
export interface LinkedDataSuite {
  verificationMethod?: string;
  [extra: string]: unknown;
}

/** What a suite's own `verifyProof` takes and answers: one proof checked against the document without it. */
export interface ProofVerifier {
  verifyProof(options: {
    proof: Record<string, unknown>;
    document: Record<string, unknown>;
    proofSet: unknown[];
    documentLoader: DocumentLoader;
  }): Promise<{ verified: boolean; error?: unknown; verificationMethod?: unknown }>;
}

export interface VcIssueOptions {
  credential: object;
  suite: LinkedDataSuite;
  documentLoader: DocumentLoader;
  now?: string | Date;
}

export interface VcVerifyResult {
  verified: boolean;
  error?: unknown;
  results?: unknown[];
  [extra: string]: unknown;
}

export const vc = vcLib as {
  issue(options: VcIssueOptions): Promise<Record<string, unknown>>;
  verifyCredential(options: {
    credential: object;
    suite: LinkedDataSuite | LinkedDataSuite[];
    documentLoader: DocumentLoader;
    now?: string | Date;
    checkStatus?: (...args: unknown[]) => Promise<unknown>;
  }): Promise<VcVerifyResult>;
};

export const DataIntegrityProof = DataIntegrityProofLib as new (options: {
  signer?: Signer;
  date?: string | Date | null;
  cryptosuite: Cryptosuite;
  legacyContext?: boolean;
}) => LinkedDataSuite & ProofVerifier;

/** The legacy `Ed25519Signature2020` suite, for verifying credentials other issuers signed with it. */
export const Ed25519Signature2020 = Ed25519Signature2020Lib as new () => LinkedDataSuite & ProofVerifier;

/** The reference `eddsa-rdfc-2022` cryptosuite (jsonld.js + rdf-canonize). */
export const eddsaRdfc2022 = eddsaRdfc2022Lib as Cryptosuite;

/** The reference `ecdsa-rdfc-2019` cryptosuite (jsonld.js + rdf-canonize; P-256 and P-384 Multikeys). */
export const ecdsaRdfc2019 = ecdsaRdfc2019Lib as Cryptosuite;
