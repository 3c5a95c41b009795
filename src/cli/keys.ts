/** `microcred keys generate|rotate`: issuer key sets on disk (no service involved). */
import path from 'node:path';
import type { KeySet } from '../keyset/keyset.js';
import { UsageError, noPositionals, parse, printJson, rotationAlg, type Command } from './command.js';

/** The `--json` description of a key set: public data only. */
export function keySetJson(keys: KeySet): Record<string, unknown> {
  return {
    controller: keys.controller,
    dir: keys.dir,
    keys: keys.keys.map((k) => ({ id: k.id, alg: k.alg, active: k.active, created: k.created })),
    ...(keys.files?.didDocument ? { publish: { didDocument: keys.files.didDocument, jwks: keys.files.jwks } } : {}),
  };
}

export const keys: Command = {
  name: 'keys',
  synopsis: ['keys generate --dir DIR [--did-web HOST[:PATH] | --alg Ed25519|ES256] [--json]', 'keys rotate --dir DIR [--alg Ed25519|ES256] [--json]'],
  description: `generate: create an issuer key set (did:key, or did:web with the did.json and jwks.json to publish).
  --alg picks the did:key's key: Ed25519 (default; eddsa-* proofs, EdDSA JWTs) or ES256 (P-256; ecdsa-rdfc-2019
  proofs, ES256 JWTs). A did:web key set holds one of each already.
rotate: add a new active key; older keys stay listed so older credentials still verify.
--json prints {"controller", "dir", "keys": [{"id", "alg", "active", "created"}], "publish"?} (no private keys).`,
  async run(args, out) {
    const [sub, ...rest] = args;
    if (sub !== 'generate' && sub !== 'rotate') throw new UsageError('keys needs a subcommand: generate or rotate', keys);
    const { values, positionals } = parse(keys, rest, {
      dir: { type: 'string' },
      'did-web': { type: 'string' },
      alg: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    noPositionals(keys, positionals);
    if (!values.dir) throw new UsageError(`keys ${sub} needs --dir DIR`, keys);
    const keysMod = await import('../keyset/keyset.js');
    if (sub === 'generate') {
      const didKeyAlg = values.alg === undefined ? undefined : rotationAlg(keys, values.alg);
      if (didKeyAlg && values['did-web']) {
        throw new UsageError('--alg applies to a did:key; a did:web key set already holds an Ed25519 and a P-256 key', keys);
      }
      const created = await keysMod.generateKeySet({
        dir: values.dir,
        ...(values['did-web'] ? { didWeb: values['did-web'] } : {}),
        ...(didKeyAlg ? { didKeyAlg } : {}),
      });
      if (values.json) {
        printJson(out, keySetJson(created));
        return 0;
      }
      out.stdout(`Created key set in ${values.dir}\nIssuer DID: ${created.controller}\n`);
      if (values['did-web']) {
        out.stdout(`Publish ${path.join(values.dir, 'did.json')} at the did:web location, and jwks.json beside it.\n`);
      }
      return 0;
    }
    const alg = rotationAlg(keys, values.alg);
    const rotated = await keysMod.rotateKey(values.dir, alg);
    if (values.json) printJson(out, keySetJson(rotated));
    else out.stdout(`Rotated: new active ${alg} key in ${values.dir} for ${rotated.controller}\n`);
    return 0;
  },
};
