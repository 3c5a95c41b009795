/**
 * Check "profile": microcred's micro-credential profile (the EU Annex I mandatory elements), only when the credential
 * claims it in `credentialSchema`.
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
