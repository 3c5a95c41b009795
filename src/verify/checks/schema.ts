/**
 * Check "schema": the official OB 3.0 AchievementCredential JSON Schema, or for an endorsement
 * (`EndorsementCredential`, embedded or on its own) the official OB 3.0 EndorsementCredential JSON Schema.
 *
 * VC 1.1 credentials (`issuanceDate`, VC v1 context) cannot pass that schema as published (it requires `validFrom`),
 * yet OB 3.0 verifiers must accept them. Decision: validate a copy whose VC 1.1 fields are read as their VC 2.0
 * equivalents (context v1 -> v2, issuanceDate -> validFrom, expirationDate -> validUntil). If that copy passes, the
 * check is a warning ("older format") rather than a failure; any other schema error still fails.
 * Non-OB credentials get a warning: neither schema describes them.
 */
import { validateEndorsementSchema, validateOpenBadgeSchema } from '../../schema/validate-ob.js';
import { isClrCredential } from '../../schema/validate-clr.js';
import { checkClrSchema } from './clr-schema.js';
import type { Check, VerifyContext } from '../types.js';
import { VC1_CONTEXT, VC2_CONTEXT } from './parse.js';

/** Classes whose `type` the schema wants as a list (VC 1.1-era issuers often wrote a single string). */
const LIST_TYPES = new Set([
  'AchievementSubject', 'Evidence', 'EndorsementCredential', 'Achievement', 'Alignment', 'Result', 'ResultDescription',
  'RubricCriterionLevel', 'Related', 'Profile', 'Address', 'EndorsementSubject',
]);

/**
 * A copy with every VC 1.1 credential (the top one and embedded endorsements) read as VC 2.0, and single `type`
 * strings of the classes above read as one-item lists.
 */
function asVc2(value: unknown): any {
  if (Array.isArray(value)) return value.map(asVc2);
  if (!value || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) copy[k] = asVc2(v);
  if (typeof copy.type === 'string' && LIST_TYPES.has(copy.type)) copy.type = [copy.type];
  const ctx = copy['@context'];
  if (Array.isArray(ctx) && ctx[0] === VC1_CONTEXT) {
    copy['@context'] = ctx.map((c) => (c === VC1_CONTEXT ? VC2_CONTEXT : c));
    if ('issuanceDate' in copy) {
      copy.validFrom ??= copy.issuanceDate;
      delete copy.issuanceDate;
    }
    if ('expirationDate' in copy) {
      copy.validUntil ??= copy.expirationDate;
      delete copy.expirationDate;
    }
  }
  return copy;
}

/** "$.a.b[0].c" -> ['a', 'b', 0, 'c'] */
function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3]) as string);
  return out;
}

/** Wraps the (non-list) value at `path` in a list, in place; false when there is no such value. */
function wrapAt(root: unknown, path: string): boolean {
  const segs = pathSegments(path);
  const last = segs.pop();
  if (last === undefined) return false;
  let cur: unknown = root;
  for (const s of segs) {
    if (!cur || typeof cur !== 'object') return false;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  if (!cur || typeof cur !== 'object') return false;
  const parent = cur as Record<string | number, unknown>;
  const value = parent[last];
  if (value === undefined || Array.isArray(value)) return false;
  parent[last] = [value];
  return true;
}

function listErrors(errors: { path: string; message: string }[]): string {
  const shown = errors.slice(0, 5).map((e) => (e.message.startsWith('$') ? e.message : `${e.path}: ${e.message}`));
  return shown.join('; ') + (errors.length > 5 ? `; and ${errors.length - 5} more` : '');
}

export function checkSchema(ctx: VerifyContext): Check {
  const c = ctx.credential;
  if (isClrCredential(c)) return checkClrSchema(ctx);
  const types = Array.isArray(c.type) ? c.type : [c.type];
  const isBadge = types.includes('OpenBadgeCredential') || types.includes('AchievementCredential');
  const isEndorsement = !isBadge && types.includes('EndorsementCredential');
  if (!isBadge && !isEndorsement) {
    return {
      id: 'schema',
      status: 'warning',
      message: 'This credential is not an Open Badge (its type has neither OpenBadgeCredential nor AchievementCredential), so the Open Badges schema was not applied.',
    };
  }
  const validate = isBadge ? validateOpenBadgeSchema : validateEndorsementSchema;
  const what = isBadge ? 'The credential' : 'The endorsement';
  const schemaName = isBadge ? 'Open Badges 3.0 schema' : 'Open Badges 3.0 EndorsementCredential schema';
  // The schema wants `proof` as a list; a single proof object is equally valid VC (DIGEST §0.7): accept both.
  const subject: Record<string, unknown> = ctx.vcVersion === 1 ? asVc2(c) : { ...c };
  if (subject.proof !== undefined && !Array.isArray(subject.proof)) subject.proof = [subject.proof];
  let result = validate(subject);
  let compacted = false;
  if (!result.valid && ctx.vcVersion === 1) {
    // VC 1.1-era issuers wrote single values without list brackets (the then "compaction-tolerant" schemas allowed
    // it). Read those as one-item lists; anything still wrong afterwards is a real schema error.
    const copy = structuredClone(subject);
    const wrapped = result.errors.filter((e) => /expected (a )?(list|array)/i.test(e.message) && wrapAt(copy, e.path)).length;
    if (wrapped > 0) {
      const again = validate(copy);
      if (again.valid) compacted = true;
      else result = again;
    }
  }
  if (!result.valid && !compacted) {
    return {
      id: 'schema',
      status: 'fail',
      message: `${what} does not follow the official ${schemaName}: ${listErrors(result.errors)}.`,
    };
  }
  if (ctx.vcVersion === 1) {
    return {
      id: 'schema',
      status: 'warning',
      message:
        `${what} uses the older VC 1.1 format (issuanceDate instead of validFrom` +
        (compacted ? ', and single values written without list brackets' : '') +
        `). Read in the current format it matches the official ${schemaName}, which describes only the current format.`,
    };
  }
  return { id: 'schema', status: 'pass', message: `${what} follows the official ${schemaName}.` };
}
