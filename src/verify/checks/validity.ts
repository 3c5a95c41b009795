/**
 * Check "validity": the credential's validity period against `now`. VC 2.0 uses validFrom/validUntil, VC 1.1
 * issuanceDate/expirationDate; for a JWT, nbf/exp narrow the period further when present.
 */
import type { Check, VerifyContext } from '../types.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

// One formatter for the process: toLocaleDateString builds a new Intl formatter on every call (slow, per verification).
const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function day(d: Date): string {
  return DAY_FORMAT.format(d);
}

function readDate(value: unknown, field: string): Date | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    return `The credential's ${field} is not a valid date and time; found ${JSON.stringify(value)}.`;
  }
  return new Date(value);
}

export function checkValidity(ctx: VerifyContext): Check {
  const c = ctx.credential;
  const fromField = ctx.vcVersion === 1 ? 'issuanceDate' : 'validFrom';
  const untilField = ctx.vcVersion === 1 ? 'expirationDate' : 'validUntil';
  let from = readDate(c[fromField], fromField);
  let until = readDate(c[untilField], untilField);
  if (typeof from === 'string') return { id: 'validity', status: 'fail', message: from };
  if (typeof until === 'string') return { id: 'validity', status: 'fail', message: until };
  const p = ctx.jwt?.payload;
  if (p && typeof p.nbf === 'number') {
    const nbf = new Date(p.nbf * 1000);
    if (!from || nbf > from) from = nbf;
  }
  if (p && typeof p.exp === 'number') {
    const exp = new Date(p.exp * 1000);
    if (!until || exp < until) until = exp;
  }
  if (from && until && until < from) {
    return { id: 'validity', status: 'fail', message: `The credential ends (${day(until)}) before it starts (${day(from)}).` };
  }
  const now = ctx.now;
  if (from && now < from) {
    return { id: 'validity', status: 'fail', message: `The credential is not valid yet: it becomes valid on ${day(from)}.` };
  }
  if (until && now > until) {
    return { id: 'validity', status: 'fail', message: `The credential has expired: it was valid until ${day(until)}.` };
  }
  const start = from ? `valid since ${day(from)}` : 'valid (it states no start date)';
  const end = until ? `until ${day(until)}` : 'and it does not expire';
  return { id: 'validity', status: 'pass', message: `The credential is within its validity period: ${start} ${end}.` };
}
