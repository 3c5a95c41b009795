/**
 * Check "profile": microcred's micro-credential profile (the EU Annex I mandatory elements), only when the credential
 * claims it in `credentialSchema`: by a deployment's URL for the schema (`…/schemas/microcred-profile/v1.json`, any
 * host) or by the legacy w3id.org id of older credentials.
 *
 * The check always applies the copy of the schema bundled with this package and never fetches the listed URL. What a
 * forger can do with that, and why it gains nothing:
 * - List a URL on their own host that ends in the profile path and serve a schema there that accepts anything. We do
 *   not read it: the credential is held to our rules. (A verifier that fetches listed schemas applies the forger's
 *   copy, so its "schema valid" says nothing about the profile.) Not fetching also means a listed URL cannot make the
 *   verifier call an address of the forger's choosing or tell them when and where a credential is checked.
 * - Claim the profile for any credential, since any host is accepted. The check speaks only of content (the Annex I
 *   elements are there); who issued the credential is for the proof and issuer-key checks. A pass is not a trust mark.
 * - Not claim the profile, or list a lookalike id, to avoid the check. The check then says "not applicable", never
 *   "pass".
 * - Add or remove the claim after signing: `credentialSchema` is signed, so the proof check fails.
 */
import { claimsMicrocredProfile, validateMicrocredProfile } from '../../schema/validate-profile.js';
import type { Check, VerifyContext } from '../types.js';

export function checkProfile(ctx: VerifyContext): Check {
  if (!claimsMicrocredProfile(ctx.credential)) {
    return {
      id: 'profile',
      status: 'not-applicable',
      message: 'The credential does not claim the microcred micro-credential profile, so that profile was not checked.',
    };
  }
  const result = validateMicrocredProfile(ctx.credential);
  if (!result.valid) {
    const shown = result.errors.slice(0, 5).map((e) => e.message);
    return {
      id: 'profile',
      status: 'fail',
      message:
        'The credential claims to be a complete micro-credential (EU Annex I elements) but something is missing or wrong: ' +
        shown.join('; ') +
        (result.errors.length > 5 ? `; and ${result.errors.length - 5} more.` : '.'),
    };
  }
  return {
    id: 'profile',
    status: 'pass',
    message: 'The credential contains every mandatory element of a European micro-credential (Annex I), as it claims.',
  };
}
