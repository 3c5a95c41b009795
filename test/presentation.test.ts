/**
 * The holder's proof on a presentation: Ed25519Signature2020 over did:key (what the Learner Credential Wallet signs
 * with) and DataIntegrityProof eddsa-rdfc-2022, challenge handling, holder/signer mismatch, missing proof, tampering.
 */
import { describe, expect, it } from 'vitest';
// @ts-ignore -- no type declarations
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import { createDocumentLoader } from '../src/lib/document-loader.js';
import { Ed25519Signature2020, vc as vcLib } from '../src/proof/vendor.js';
import { presentedCredentials, verifyPresentationProof } from '../src/presentation/verify-presentation.js';

const vc = vcLib as unknown as {
  createPresentation(o: Record<string, unknown>): Record<string, unknown>;
  signPresentation(o: Record<string, unknown>): Promise<Record<string, unknown>>;
};
const Ed2020 = Ed25519Signature2020 as unknown as new (o: { key: unknown }) => object;

async function ed2020Holder(seedByte: number) {
  const seed = new Uint8Array(32).fill(seedByte);
  const probe = await Ed25519VerificationKey2020.generate({ seed });
  const did = `did:key:${probe.fingerprint()}`;
  const key = await Ed25519VerificationKey2020.generate({ seed, controller: did, id: `${did}#${probe.fingerprint()}` });
  return {
    did,
    sign: (holder: string, challenge = 'lcw-challenge-1') =>
      vc.signPresentation({
        presentation: vc.createPresentation({ holder, version: 2.0 }), suite: new Ed2020({ key }), challenge, documentLoader: createDocumentLoader(),
      }),
  };
}

describe('verifyPresentationProof', () => {
  it('accepts an Ed25519Signature2020 DIDAuth presentation from a did:key wallet, for the issued challenge', async () => {
    const h = await ed2020Holder(44);
    const vp = await h.sign(h.did);
    expect(await verifyPresentationProof(vp, { challenge: 'lcw-challenge-1' })).toEqual({
      holder: h.did, presenters: [h.did], verified: true, challengeChecked: true, message: `The presentation was signed by its holder ${h.did}.`,
    });
    const other = await verifyPresentationProof(vp, { challenge: 'another-challenge' });
    expect(other).toMatchObject({ verified: false, presenters: [], message: "The holder's signature on the presentation could not be verified for the expected challenge." });
    // Without an expected challenge the proof's own is used, and the result says replay was not ruled out.
    expect(await verifyPresentationProof(vp)).toMatchObject({ verified: true, challengeChecked: false });
  });

  it('refuses a presentation naming another holder than its signer, a changed one, and one without proof or challenge', async () => {
    const h = await ed2020Holder(45);
    const claimed = 'did:key:z6MkpSnYgFb8LEnvdrraUgp2GB8uHc53rsgL4FkBnfiaY6pe';
    const vp = await h.sign(claimed);
    expect(await verifyPresentationProof(vp, { challenge: 'lcw-challenge-1' })).toMatchObject({
      verified: false, presenters: [], message: `The presentation names ${claimed} as its holder but was signed by ${h.did}.`,
    });
    const good = await h.sign(h.did);
    const changed = { ...good, verifiableCredential: [{ id: 'urn:uuid:added' }] };
    expect((await verifyPresentationProof(changed, { challenge: 'lcw-challenge-1' })).verified).toBe(false);
    const { proof, ...unsigned } = good;
    expect(await verifyPresentationProof(unsigned)).toMatchObject({ verified: false, message: 'The presentation carries no proof, so it is not known who presented it.' });
    const noChallenge = { ...good, proof: { ...(proof as Record<string, unknown>), challenge: undefined } };
    expect((await verifyPresentationProof(noChallenge)).message).toBe("The presentation's proof has no challenge, so it could have been made for anyone at any time.");
  });

  it('unwraps EnvelopedVerifiableCredential JWTs', () => {
    expect(presentedCredentials({ verifiableCredential: [{ id: 'urn:a' }, { type: 'EnvelopedVerifiableCredential', id: 'data:application/vc+jwt,eyJ.eyJ.sig' }] }))
      .toEqual([{ id: 'urn:a' }, 'eyJ.eyJ.sig']);
  });
});
