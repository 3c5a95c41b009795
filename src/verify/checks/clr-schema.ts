/**
 * Check "schema" for CLR 2.0 `ClrCredential`s: the official ClrCredential JSON Schema instead of the Open Badges one
 * (a CLR is not an AchievementCredential). Each nested credential is verified separately (see `verify/nested.ts`).
 */
import { validateClrSchema } from '../../schema/validate-clr.js';
import type { Check, VerifyContext } from '../types.js';

export function checkClrSchema(ctx: VerifyContext): Check {
  const result = validateClrSchema(ctx.credential);
  if (!result.valid) {
    const shown = result.errors.slice(0, 5).map((e) => (e.message.startsWith('$') ? e.message : `${e.path}: ${e.message}`));
    return {
      id: 'schema',
      status: 'fail',
      message:
        'The transcript does not follow the official CLR 2.0 (Comprehensive Learner Record) schema: ' +
        shown.join('; ') +
        (result.errors.length > 5 ? `; and ${result.errors.length - 5} more.` : '.'),
    };
  }
  return { id: 'schema', status: 'pass', message: 'The transcript follows the official CLR 2.0 (Comprehensive Learner Record) schema.' };
}
