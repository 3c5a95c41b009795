/**
 * Issuer key sets on disk.
 *
 * Layout of a key directory (its path comes from configuration):
 * - `keyset.json`: public, `{ controller, example?, keys: [{ id, type: "Multikey", alg, publicKeyMultibase,
 *   publicKeyJwk, created, active, privateKeyFile }] }`;
 * - one private key file per key (`key-<n>.private.jwk.json`, a private JWK), mode 0600;
 * - for a `did:web` issuer also `did.json` and `jwks.json`, the files to publish.
 *
 * Identity: `did:key` (local use: one key, the DID *is* the key, so it cannot rotate: Ed25519 by default, whose
 * Data Integrity proofs are eddsa-* and whose JWTs are EdDSA, or P-256 (`did:key:zDn…`), whose proofs are
 * ecdsa-rdfc-2019 and whose JWTs are ES256) or `did:web` (deployments: an Ed25519 key for the eddsa-* Data Integrity
 * suites plus a P-256 key that serves both ES256 JWTs and ecdsa-rdfc-2019 proofs, rotatable). Key ids
 * are `<controller>#<publicKeyMultibase>` so the fragment names the key, as `did:key` does and as verifiers that
 * read the key from a `#z6Mk…` fragment expect.
 *
 * Several keys may be listed; at most one per algorithm is active (used for new credentials). Retired keys stay
 * listed (and in the DID document) so credentials they signed keep verifying; their private files may be deleted.
 *
 * Permissions: loading REFUSES a private key file that group or others can access (like ssh), with the chmod to
 * run in the error. Exceptions: a key set marked `"example": true` (keys.example/, whose keys are public and whose
 * 0600 mode git cannot keep) and `loadKeySet(dir, { allowInsecurePermissions: true })`. Not checked on Windows.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { MicrocredError } from '../errors.js';
import { jwkToPublicKeyMultibase } from '../lib/multibase.js';
import { didWebDocument, jwks } from '../did/web-document.js';
import { didWebUrl } from '../did/web-url.js';
import { DEFAULT_CRYPTOSUITE, signerAlgorithmFor, type CryptosuiteName } from './cryptosuites.js';

/**
 * Key algorithms a key set can hold: Ed25519 (Data Integrity eddsa-rdfc-2022 / eddsa-jcs-2022 and EdDSA JWTs) and
 * ES256 (a P-256 key: ES256 JWTs and Data Integrity ecdsa-rdfc-2019).
 */
export type KeyAlg = 'Ed25519' | 'ES256';
/** JWS algorithms microcred signs with. */
export type JwtAlg = 'ES256' | 'EdDSA';
export type KeyPurpose = 'di' | 'jwt';

/** A public JWK as listed in `keyset.json` (never has `d`). */
export interface PublicJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
}

/** One key as listed (publicly) in `keyset.json`. */
export interface KeyEntry {
  /** Verification method id: `<controller>#<publicKeyMultibase>`. Also the JWT `kid`. */
  id: string;
  type: 'Multikey';
  alg: KeyAlg;
  publicKeyMultibase: string;
  publicKeyJwk: PublicJwk;
  /** ISO date-time the key was generated. */
  created: string;
  /** Whether new credentials are signed with this key (at most one active key per `alg`). */
  active: boolean;
  /** File name (inside the key directory) of the private JWK; may be absent on disk for retired keys. */
  privateKeyFile: string;
}

/** Public content of `keyset.json`. */
export interface KeySetDocument {
  controller: string;
  /** True only for the published example keys in `keys.example/`: they are public, never use them in production. */
  example?: boolean;
  keys: KeyEntry[];
}

/** Paths of the files of a key set on disk. */
export interface KeySetFiles {
  keyset: string;
  privateKeys: string[];
  /** `did.json` to publish (did:web only). */
  didDocument?: string;
  /** `jwks.json` to publish (did:web only). */
  jwks?: string;
}

/** A signer in the shape `@digitalbazaar/data-integrity` expects. */
export interface Signer {
  id: string;
  algorithm: string;
  sign(input: { data: Uint8Array }): Promise<Uint8Array>;
}

export interface LoadKeySetOptions {
  /**
   * Load private key files even when group/world can read them. By default such files are refused (like ssh does),
   * except in a key set marked `"example": true`, whose keys are public anyway (git does not keep mode 0600).
   */
  allowInsecurePermissions?: boolean;
}

export interface GenerateKeySetOptions {
  /** Directory to create (or an empty existing one). Refuses to overwrite an existing `keyset.json`. */
  dir: string;
  /** `HOST[:PATH]` (or a full `did:web:…`) for a did:web issuer; absent = a did:key issuer. */
  didWeb?: string;
  /** did:web only: the JWT key algorithm (default ES256; `EdDSA` uses the Ed25519 key and adds no P-256 key). */
  jwtAlg?: JwtAlg;
  /**
   * did:key only: the key the DID is. `Ed25519` (default: eddsa-* proofs, EdDSA JWTs) or `ES256` (a P-256
   * `did:key:zDn…`: ecdsa-rdfc-2019 proofs, ES256 JWTs).
   */
  didKeyAlg?: KeyAlg;
  /** Mark as public example keys (only for `keys.example/`). */
  example?: boolean;
  /** Clock for `created` (tests). */
  now?: Date;
}

export const KEYSET_FILE = 'keyset.json';
const DID_DOCUMENT_FILE = 'did.json';
const JWKS_FILE = 'jwks.json';

const privateKeys = new WeakMap<KeySet, Map<string, KeyObject>>();

/**
 * A loaded key set. Public data is plain properties; private keys are held outside the object (a module WeakMap),
 * so logging, `JSON.stringify` or `util.inspect` can never print them.
 *
 * @example
 * ```ts
 * const keys = await loadKeySet('keys.example');
 * keys.controller;                 // 'did:key:z6Mk…'
 * keys.activeKey('di').id;         // the verification method new Data Integrity proofs name
 * JSON.stringify(keys);            // the public keyset.json content, never a private key
 * ```
 */
export class KeySet {
  readonly controller: string;
  readonly keys: readonly KeyEntry[];
  readonly example: boolean;
  readonly dir: string | undefined;
  readonly files: KeySetFiles | undefined;

  /** @internal Use `loadKeySet` / `generateKeySet`. */
  constructor(doc: KeySetDocument, secrets: Map<string, KeyObject>, location?: { dir: string; files: KeySetFiles }) {
    this.controller = doc.controller;
    this.keys = Object.freeze(doc.keys.map((k) => Object.freeze({ ...k, publicKeyJwk: Object.freeze({ ...k.publicKeyJwk }) })));
    this.example = doc.example === true;
    this.dir = location?.dir;
    this.files = location?.files;
    privateKeys.set(this, secrets);
    Object.freeze(this);
  }

  /** The JWT algorithm used when the caller names none: ES256 when an active P-256 key exists, else EdDSA. */
  defaultJwtAlg(): JwtAlg {
    return this.keys.some((k) => k.active && k.alg === 'ES256') ? 'ES256' : 'EdDSA';
  }

  /**
   * The active key for a purpose: `di` = the active Ed25519 key; `jwt` = the active key for `alg`
   * (default {@link KeySet.defaultJwtAlg}).
   *
   * @example
   * ```ts
   * const { id } = keys.activeKey('jwt', 'ES256');
   * ```
   */
  activeKey(purpose: KeyPurpose, alg?: JwtAlg): KeyEntry {
    const jwtAlg = alg ?? this.defaultJwtAlg();
    const keyAlg: KeyAlg = purpose === 'di' || jwtAlg === 'EdDSA' ? 'Ed25519' : 'ES256';
    const key = this.keys.find((k) => k.active && k.alg === keyAlg);
    if (!key && this.controller.startsWith('did:key:')) {
      const own = this.keys[0]?.alg === 'ES256' ? 'P-256' : 'Ed25519';
      throw new MicrocredError(
        'UNSUPPORTED',
        purpose === 'jwt'
          ? `A did:key issuer (${this.controller}) holds only its own ${own} key, so its JWTs are ${own === 'P-256' ? 'ES256' : 'EdDSA'}; ` +
              `${jwtAlg} needs a did:web issuer (microcred keys generate --did-web HOST) or ${jwtAlg === 'ES256' ? 'a P-256' : 'an Ed25519'} did:key.`
          : `A did:key issuer (${this.controller}) holds only its own ${own} key; ${this.dataIntegrityAdvice(own)}`,
        { keyAlg },
      );
    }
    if (!key) {
      throw new MicrocredError(
        'KEY_NOT_FOUND',
        `The key set of ${this.controller} has no active ${keyAlg} key` +
          (purpose === 'jwt' ? ` for ${jwtAlg} JWTs` : ' for Data Integrity proofs') +
          `; add one with rotateKey(dir, '${keyAlg}').`,
      );
    }
    return key;
  }

  /** The private key of `id` as a Node KeyObject (its inspect/JSON output shows no key material). */
  signingKey(id: string): KeyObject {
    const key = privateKeys.get(this)?.get(id);
    if (!key) {
      const listed = this.keys.find((k) => k.id === id);
      throw new MicrocredError(
        'KEY_NOT_FOUND',
        listed
          ? `The private key of ${id} is not loaded (file ${listed.privateKeyFile} missing in ${this.dir ?? 'the key set'}).`
          : `The key set of ${this.controller} has no key ${JSON.stringify(id)}.`,
      );
    }
    return key;
  }

  /**
   * The active key that signs Data Integrity proofs of `cryptosuite` (default `eddsa-rdfc-2022`): the Ed25519 key for
   * `eddsa-rdfc-2022` and `eddsa-jcs-2022`, the P-256 key (the same one ES256 JWTs use) for `ecdsa-rdfc-2019`.
   *
   * @throws MicrocredError `UNSUPPORTED` when the key set has no active key of that kind (details
   *   `{ option: 'cryptosuite', cryptosuite, needs }`), with what to do in the message.
   * @example
   * ```ts
   * const signer = keys.signer(keys.dataIntegrityKey('ecdsa-rdfc-2019').id);
   * ```
   */
  dataIntegrityKey(cryptosuite: CryptosuiteName = DEFAULT_CRYPTOSUITE): KeyEntry {
    const needs = signerAlgorithmFor(cryptosuite);
    const keyAlg: KeyAlg = needs === 'P-256' ? 'ES256' : 'Ed25519';
    const key = this.keys.find((k) => k.active && k.alg === keyAlg);
    if (key) return key;
    throw new MicrocredError(
      'UNSUPPORTED',
      `${cryptosuite} signs with ${needs === 'P-256' ? 'a P-256' : 'an Ed25519'} key, and the key set of ${this.controller} ` +
        `has no active one; ${this.dataIntegrityAdvice(needs === 'P-256' ? 'Ed25519' : 'P-256')}`,
      { option: 'cryptosuite', cryptosuite, needs },
    );
  }

  /** What a key set holding only `own` keys can sign, and how to get the other kind (for error messages). */
  private dataIntegrityAdvice(own: 'Ed25519' | 'P-256'): string {
    const can = own === 'P-256' ? 'ecdsa-rdfc-2019' : 'eddsa-rdfc-2022 and eddsa-jcs-2022';
    const other = own === 'P-256' ? 'eddsa-rdfc-2022 and eddsa-jcs-2022 need an Ed25519 key' : 'ecdsa-rdfc-2019 needs a P-256 key';
    const fix = this.controller.startsWith('did:key:')
      ? `use a did:key of that kind (generateKeySet({ didKeyAlg: '${own === 'P-256' ? 'Ed25519' : 'ES256'}' })) or a did:web issuer`
      : `add one with rotateKey(dir, '${own === 'P-256' ? 'Ed25519' : 'ES256'}')`;
    return `its Data Integrity proofs can be ${can}; ${other}: ${fix}.`;
  }

  /**
   * A Data Integrity signer for a key of this set (default: the active Ed25519 key). Ed25519 keys sign as
   * `algorithm: 'Ed25519'` (the eddsa-* suites), P-256 keys as `algorithm: 'P-256'` (ecdsa-rdfc-2019: ECDSA with
   * SHA-256, the 64-byte r‖s signature).
   */
  signer(id: string = this.activeKey('di').id): Signer {
    const entry = this.keys.find((k) => k.id === id);
    if (!entry) {
      throw new MicrocredError('KEY_NOT_FOUND', `No key ${JSON.stringify(id)} in the key set of ${this.controller}.`);
    }
    const key = this.signingKey(id);
    if (entry.alg === 'ES256') {
      return {
        id,
        algorithm: 'P-256',
        sign: async ({ data }) => new Uint8Array(cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })),
      };
    }
    return {
      id,
      algorithm: 'Ed25519',
      sign: async ({ data }) => new Uint8Array(cryptoSign(null, data, key)),
    };
  }

  /** The public `keyset.json` content: what JSON.stringify prints. */
  toJSON(): KeySetDocument {
    return { controller: this.controller, ...(this.example ? { example: true } : {}), keys: this.keys.map((k) => ({ ...k })) };
  }

  [inspect.custom](): string {
    const keys = this.keys.map((k) => `${k.alg}${k.active ? ' (active)' : ''} ${k.id}`);
    return `KeySet { controller: ${this.controller}${this.example ? ', EXAMPLE KEYS' : ''}, keys: [${keys.join(', ')}] }`;
  }
}

/**
 * Loads a key set directory: `keyset.json` plus the private key files of the active keys (and of retired keys when
 * present). Checks that each private key matches its public entry and that private files are not group/world
 * accessible (see {@link LoadKeySetOptions}).
 *
 * @throws MicrocredError `KEY_NOT_FOUND` (missing file), `KEYSET_INVALID` (malformed file, mismatch, permissions);
 *   messages name the file and never contain key material.
 * @example
 * ```ts
 * const keys = await loadKeySet(process.env.MICROCRED_KEYS ?? 'keys.example');
 * console.log(keys.controller, keys.activeKey('di').id);
 * ```
 */
export async function loadKeySet(dir: string, options: LoadKeySetOptions = {}): Promise<KeySet> {
  const keysetPath = path.join(dir, KEYSET_FILE);
  let text: string;
  try {
    text = await fs.readFile(keysetPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const dirExists = code === 'ENOENT' ? await exists(dir) : true;
    const why = !dirExists
      ? `the key directory ${dir} does not exist`
      : code === 'ENOENT'
        ? `the key directory ${dir} has no ${KEYSET_FILE}`
        : code === 'EACCES'
          ? `${keysetPath} cannot be read (permission denied)`
          : `${keysetPath} cannot be read (${code ?? 'unknown error'})`;
    throw new MicrocredError(
      'KEY_NOT_FOUND',
      `No key set: ${why}. Create one with \`microcred keys generate --dir ${dir}\` or point the configuration at an ` +
        'existing key directory.',
      { file: keysetPath },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new MicrocredError('KEYSET_INVALID', `${keysetPath} is not valid JSON: ${(e as Error).message}`, { file: keysetPath });
  }
  const doc = parseKeySetDocument(raw, keysetPath);
  const secrets = new Map<string, KeyObject>();
  const privateFiles: string[] = [];
  for (const entry of doc.keys) {
    const file = path.join(dir, entry.privateKeyFile);
    const key = await readPrivateKey(file, entry, {
      required: entry.active,
      checkPermissions: !doc.example && !options.allowInsecurePermissions && process.platform !== 'win32',
    });
    if (key) {
      secrets.set(entry.id, key);
      privateFiles.push(file);
    }
  }
  const files: KeySetFiles = { keyset: keysetPath, privateKeys: privateFiles };
  for (const [name, field] of [
    [DID_DOCUMENT_FILE, 'didDocument'],
    [JWKS_FILE, 'jwks'],
  ] as const) {
    const p = path.join(dir, name);
    if (await exists(p)) files[field] = p;
  }
  return new KeySet(doc, secrets, { dir, files });
}

/**
 * Generates a new issuer key set in `dir` and returns it; prints nothing. A `did:key` issuer gets one key (Ed25519,
 * or P-256 with `didKeyAlg: 'ES256'`); a `did:web` issuer gets an Ed25519 key (eddsa-* Data Integrity, EdDSA JWTs)
 * and a P-256 key (ES256 JWTs and ecdsa-rdfc-2019 Data Integrity), and `did.json` +
 * `jwks.json` are written beside them for publishing (see {@link didWebDocumentUrl} for where).
 *
 * @example
 * ```ts
 * const keys = await generateKeySet({ dir: '/etc/microcred/keys', didWeb: 'badges.example.ac.uk' });
 * // publish keys.files.didDocument at didWebDocumentUrl(keys.controller)
 * ```
 */
export async function generateKeySet(options: GenerateKeySetOptions): Promise<KeySet> {
  const { dir } = options;
  const created = isoSeconds(options.now ?? new Date());
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if (await exists(path.join(dir, KEYSET_FILE))) {
    throw new MicrocredError(
      'KEYSET_INVALID',
      `${path.join(dir, KEYSET_FILE)} already exists; refusing to overwrite a key set (use rotateKey to add a key).`,
      { file: path.join(dir, KEYSET_FILE) },
    );
  }
  let controller: string;
  const pairs: { alg: KeyAlg; privateKey: KeyObject; jwk: PublicJwk; multibase: string }[] = [];
  if (options.didWeb === undefined) {
    const didKeyAlg = options.didKeyAlg ?? 'Ed25519';
    if (didKeyAlg !== 'Ed25519' && didKeyAlg !== 'ES256') {
      throw new MicrocredError('UNSUPPORTED', `didKeyAlg must be "Ed25519" or "ES256"; found ${JSON.stringify(didKeyAlg)}.`);
    }
    if (options.jwtAlg !== undefined && options.jwtAlg !== (didKeyAlg === 'ES256' ? 'ES256' : 'EdDSA')) {
      throw new MicrocredError(
        'UNSUPPORTED',
        didKeyAlg === 'ES256'
          ? 'A P-256 did:key issuer holds only its P-256 key, so its JWTs are ES256; use an Ed25519 did:key or didWeb for EdDSA JWTs.'
          : "A did:key issuer holds only its Ed25519 key, so its JWTs are EdDSA; use didKeyAlg: 'ES256' (a P-256 did:key) or didWeb for ES256 JWTs.",
      );
    }
    const pair = newKeyPair(didKeyAlg);
    controller = `did:key:${pair.multibase}`;
    pairs.push(pair);
  } else {
    if (options.didKeyAlg !== undefined) {
      throw new MicrocredError('UNSUPPORTED', 'didKeyAlg applies to did:key issuers only; a did:web issuer gets an Ed25519 and a P-256 key.');
    }
    controller = parseDidWeb(options.didWeb);
    pairs.push(newKeyPair('Ed25519'));
    if ((options.jwtAlg ?? 'ES256') === 'ES256') pairs.push(newKeyPair('ES256'));
  }
  const keys: KeyEntry[] = [];
  const secrets = new Map<string, KeyObject>();
  for (const [i, pair] of pairs.entries()) {
    const entry: KeyEntry = {
      id: `${controller}#${pair.multibase}`,
      type: 'Multikey',
      alg: pair.alg,
      publicKeyMultibase: pair.multibase,
      publicKeyJwk: pair.jwk,
      created,
      active: true,
      privateKeyFile: `key-${i + 1}.private.jwk.json`,
    };
    await writePrivateKey(path.join(dir, entry.privateKeyFile), pair.privateKey, entry);
    keys.push(entry);
    secrets.set(entry.id, pair.privateKey);
  }
  const doc: KeySetDocument = { controller, ...(options.example ? { example: true } : {}), keys };
  return writeKeySet(dir, doc, secrets);
}

/**
 * Adds a new key of `alg` to the key set in `dir`, makes it the active key for that algorithm and keeps the older
 * keys listed (inactive) so credentials they signed still verify. Rewrites `did.json`/`jwks.json` for did:web.
 * A did:key issuer cannot rotate (the DID is the key): generate a new key set instead.
 *
 * @example
 * ```ts
 * const keys = await rotateKey('/etc/microcred/keys', 'Ed25519');
 * keys.activeKey('di').id; // the new key
 * ```
 */
export async function rotateKey(
  dir: string,
  alg: KeyAlg | 'EdDSA',
  options: { now?: Date } & LoadKeySetOptions = {},
): Promise<KeySet> {
  const keyAlg: KeyAlg = alg === 'EdDSA' ? 'Ed25519' : alg;
  if (keyAlg !== 'Ed25519' && keyAlg !== 'ES256') {
    throw new MicrocredError('UNSUPPORTED', `Cannot rotate to algorithm ${JSON.stringify(alg)}: expected "Ed25519" or "ES256".`);
  }
  const current = await loadKeySet(dir, options);
  if (current.controller.startsWith('did:key:')) {
    throw new MicrocredError(
      'UNSUPPORTED',
      `${current.controller} is a did:key issuer: the DID is its key and cannot rotate. Generate a new key set ` +
        '(a new DID), or use a did:web issuer for rotatable keys.',
    );
  }
  const pair = newKeyPair(keyAlg);
  const taken = new Set(current.keys.map((k) => k.privateKeyFile));
  let n = current.keys.length + 1;
  while (taken.has(`key-${n}.private.jwk.json`)) n++;
  const entry: KeyEntry = {
    id: `${current.controller}#${pair.multibase}`,
    type: 'Multikey',
    alg: keyAlg,
    publicKeyMultibase: pair.multibase,
    publicKeyJwk: pair.jwk,
    created: isoSeconds(options.now ?? new Date()),
    active: true,
    privateKeyFile: `key-${n}.private.jwk.json`,
  };
  await writePrivateKey(path.join(dir, entry.privateKeyFile), pair.privateKey, entry);
  const keys = current.keys.map((k) => (k.alg === keyAlg ? { ...k, active: false } : { ...k }));
  keys.push(entry);
  const secrets = new Map<string, KeyObject>();
  for (const k of current.keys) {
    try {
      secrets.set(k.id, current.signingKey(k.id));
    } catch {
      // retired key whose private file was removed: nothing to carry over
    }
  }
  secrets.set(entry.id, pair.privateKey);
  return writeKeySet(dir, { controller: current.controller, ...(current.example ? { example: true } : {}), keys }, secrets);
}

/**
 * The https URL where a did:web DID document must be published
 * (`did:web:host` -> `https://host/.well-known/did.json`, `did:web:host:a:b` -> `https://host/a/b/did.json`).
 *
 * @example
 * ```ts
 * didWebDocumentUrl('did:web:example.ac.uk:issuers:1'); // 'https://example.ac.uk/issuers/1/did.json'
 * ```
 */
export function didWebDocumentUrl(did: string): string {
  // Our own identifiers are parsed strictly first; the URL rule itself is the resolver's.
  return didWebUrl(parseDidWeb(did));
}

// ---------------------------------------------------------------------------------------------------------------

const HOST_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?:%3a\d{1,5})?$/;
const SEGMENT_RE = /^(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+$/;

/** `HOST[:PATH]` or `did:web:HOST[:PATH]` -> the normalised did:web DID (host lower-cased). */
function parseDidWeb(input: string): string {
  const body = input.startsWith('did:web:') ? input.slice('did:web:'.length) : input;
  const [host = '', ...segments] = body.split(':');
  const lowerHost = host.toLowerCase();
  if (!HOST_RE.test(lowerHost) || !segments.every((s) => SEGMENT_RE.test(s))) {
    throw new MicrocredError(
      'UNSUPPORTED',
      `${JSON.stringify(input)} is not a did:web identifier: expected HOST[:PATH] such as "badges.example.ac.uk" or ` +
        '"example.ac.uk:issuers:1" (a port is written %3A, e.g. "localhost%3A8443"; no scheme, no slashes).',
    );
  }
  return ['did:web:' + lowerHost, ...segments].join(':');
}

function newKeyPair(alg: KeyAlg): { alg: KeyAlg; privateKey: KeyObject; jwk: PublicJwk; multibase: string } {
  const { privateKey, publicKey } =
    alg === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicJwkOf(publicKey);
  return { alg, privateKey, jwk, multibase: jwkToPublicKeyMultibase(jwk) };
}

function publicJwkOf(publicKey: KeyObject): PublicJwk {
  const j = publicKey.export({ format: 'jwk' }) as JsonWebKey;
  return j.kty === 'EC'
    ? { kty: 'EC', crv: 'P-256', x: j.x as string, y: j.y as string }
    : { kty: 'OKP', crv: 'Ed25519', x: j.x as string };
}

async function writePrivateKey(file: string, privateKey: KeyObject, entry: KeyEntry): Promise<void> {
  const jwk = {
    ...(privateKey.export({ format: 'jwk' }) as JsonWebKey),
    kid: entry.id,
    alg: entry.alg === 'Ed25519' ? 'EdDSA' : 'ES256',
  };
  // 'wx' never overwrites an existing key; mode applies at creation, chmod covers a permissive umask-free FS.
  try {
    await fs.writeFile(file, JSON.stringify(jwk, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    throw new MicrocredError('KEYSET_INVALID', `${file} already exists; refusing to overwrite a private key file.`, { file });
  }
  await fs.chmod(file, 0o600);
}

async function writeKeySet(dir: string, doc: KeySetDocument, secrets: Map<string, KeyObject>): Promise<KeySet> {
  const keysetPath = path.join(dir, KEYSET_FILE);
  const files: KeySetFiles = {
    keyset: keysetPath,
    privateKeys: doc.keys.filter((k) => secrets.has(k.id)).map((k) => path.join(dir, k.privateKeyFile)),
  };
  const keySet = new KeySet(doc, secrets, { dir, files });
  if (doc.controller.startsWith('did:web:')) {
    files.didDocument = path.join(dir, DID_DOCUMENT_FILE);
    files.jwks = path.join(dir, JWKS_FILE);
    await writeAtomic(files.didDocument, JSON.stringify(didWebDocument(keySet), null, 2) + '\n');
    await writeAtomic(files.jwks, JSON.stringify(jwks(keySet), null, 2) + '\n');
  }
  // keyset.json last: it only ever lists keys whose private files already exist.
  await writeAtomic(keysetPath, JSON.stringify(doc, null, 2) + '\n');
  return keySet;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o644 });
  await fs.rename(tmp, file);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

async function readPrivateKey(
  file: string,
  entry: KeyEntry,
  opts: { required: boolean; checkPermissions: boolean },
): Promise<KeyObject | undefined> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    if (!opts.required) return undefined;
    throw new MicrocredError(
      'KEY_NOT_FOUND',
      `The private key file ${file} of the active key ${entry.id} is missing.`,
      { file, keyId: entry.id },
    );
  }
  if (opts.checkPermissions && (stat.mode & 0o077) !== 0) {
    throw new MicrocredError(
      'KEYSET_INVALID',
      `The private key file ${file} is accessible by group/others (mode ${(stat.mode & 0o777).toString(8)}); ` +
        `run \`chmod 600 ${file}\` (or load with allowInsecurePermissions).`,
      { file, mode: (stat.mode & 0o777).toString(8) },
    );
  }
  // Never put the file content or a parser message (which quotes content) into errors: it is secret.
  let key: KeyObject;
  try {
    const jwk = JSON.parse(await fs.readFile(file, 'utf8')) as JsonWebKey;
    if (typeof jwk !== 'object' || jwk === null || typeof jwk.d !== 'string') throw new Error('no d');
    key = createPrivateKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new MicrocredError(
      'KEYSET_INVALID',
      `The private key file ${file} is not a private JWK (expected JSON with kty, crv, x${entry.alg === 'ES256' ? ', y' : ''} and d).`,
      { file, keyId: entry.id },
    );
  }
  const multibase = jwkToPublicKeyMultibase(publicJwkOf(createPublicKey(key)));
  if (multibase !== entry.publicKeyMultibase) {
    throw new MicrocredError(
      'KEYSET_INVALID',
      `The private key in ${file} does not belong to ${entry.id} (its public key is ${multibase}, keyset.json lists ` +
        `${entry.publicKeyMultibase}).`,
      { file, keyId: entry.id },
    );
  }
  return key;
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseKeySetDocument(raw: unknown, file: string): KeySetDocument {
  const fail = (where: string, expected: string, found: unknown): never => {
    throw new MicrocredError(
      'KEYSET_INVALID',
      `${file}: ${where} must be ${expected}; found ${JSON.stringify(found) ?? 'nothing'}.`,
      { file, path: where },
    );
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('the file', 'a JSON object', raw);
  const obj = raw as Record<string, unknown>;
  const controller = obj.controller;
  if (typeof controller !== 'string' || !/^(did:key:z(?:6Mk|Dn)[1-9A-HJ-NP-Za-km-z]+|did:web:[^#?/]+|https:\/\/[^#?]+)$/.test(controller)) {
    return fail('controller', 'a did:key (Ed25519 or P-256), did:web or https URL', controller);
  }
  if (obj.example !== undefined && typeof obj.example !== 'boolean') return fail('example', 'a boolean', obj.example);
  if (!Array.isArray(obj.keys) || obj.keys.length === 0) return fail('keys', 'a non-empty array', obj.keys);
  const keys: KeyEntry[] = [];
  const activeAlgs = new Set<string>();
  for (const [i, k] of (obj.keys as unknown[]).entries()) {
    const at = `keys[${i}]`;
    if (typeof k !== 'object' || k === null) return fail(at, 'an object', k);
    const e = k as Record<string, unknown>;
    if (typeof e.id !== 'string' || !e.id.startsWith(controller + '#')) return fail(`${at}.id`, `"${controller}#<fragment>"`, e.id);
    if (e.type !== 'Multikey') return fail(`${at}.type`, '"Multikey"', e.type);
    if (e.alg !== 'Ed25519' && e.alg !== 'ES256') return fail(`${at}.alg`, '"Ed25519" or "ES256"', e.alg);
    if (typeof e.publicKeyMultibase !== 'string') return fail(`${at}.publicKeyMultibase`, 'a multibase string', e.publicKeyMultibase);
    const jwk = e.publicKeyJwk as PublicJwk | undefined;
    let jwkMultibase: string | undefined;
    try {
      jwkMultibase = jwk && typeof jwk === 'object' ? jwkToPublicKeyMultibase(jwk) : undefined;
    } catch {
      jwkMultibase = undefined;
    }
    const expectedCrv = e.alg === 'Ed25519' ? 'Ed25519' : 'P-256';
    if (!jwk || jwk.crv !== expectedCrv || jwkMultibase !== e.publicKeyMultibase) {
      return fail(`${at}.publicKeyJwk`, `the ${expectedCrv} public JWK of publicKeyMultibase`, jwk);
    }
    if ('d' in jwk) return fail(`${at}.publicKeyJwk`, 'a public JWK (no "d")', '{ …, "d": … }');
    if (typeof e.created !== 'string' || Number.isNaN(Date.parse(e.created))) return fail(`${at}.created`, 'an ISO date-time', e.created);
    if (typeof e.active !== 'boolean') return fail(`${at}.active`, 'true or false', e.active);
    if (typeof e.privateKeyFile !== 'string' || !/^[A-Za-z0-9._-]+$/.test(e.privateKeyFile) || e.privateKeyFile.startsWith('.')) {
      return fail(`${at}.privateKeyFile`, 'a file name inside the key directory', e.privateKeyFile);
    }
    if (e.active) {
      if (activeAlgs.has(e.alg)) return fail(`${at}.active`, `false (another ${e.alg} key is already active)`, true);
      activeAlgs.add(e.alg);
    }
    keys.push({
      id: e.id,
      type: 'Multikey',
      alg: e.alg,
      publicKeyMultibase: e.publicKeyMultibase,
      publicKeyJwk: jwk.kty === 'EC' ? { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y as string } : { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
      created: e.created,
      active: e.active,
      privateKeyFile: e.privateKeyFile,
    });
  }
  if (controller.startsWith('did:key:')) {
    const only = keys[0] as KeyEntry;
    const fingerprint = controller.slice('did:key:'.length);
    const alg: KeyAlg = fingerprint.startsWith('zDn') ? 'ES256' : 'Ed25519';
    if (keys.length !== 1 || only.alg !== alg || only.publicKeyMultibase !== fingerprint || only.id !== `${controller}#${fingerprint}`) {
      const kind = alg === 'ES256' ? 'P-256' : 'Ed25519';
      return fail('keys', `exactly one ${kind} key with id "${controller}#${fingerprint}" (a did:key issuer is its key)`, keys.map((k) => k.id));
    }
  }
  return { controller, ...(obj.example === true ? { example: true } : {}), keys };
}
