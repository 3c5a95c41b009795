/**
 * Check "endorsements": the endorsements embedded in the credential (OB 3.0 `endorsement` and `endorsementJwt`, on
 * the credential, its achievement and its profiles: issuer, creator, source, …), each verified like a credential
 * of its own (OB 3.0 §9 step 6: schema, proof, issuer key, validity, status) and reported as its own entry.
 *
 * Decision: an endorsement that is not valid does not make the credential invalid. An endorsement is a third
 * party's statement about the credential, the achievement or a profile; the credential's own proof already covers
 * the endorsement's bytes, so what fails is the endorser's statement, not the issuer's. The check is then a warning
 * naming the endorsement and why; the endorsement's own report has the detail.
 *
 * Endorsements are only verified once the credential's own signature holds: they name keys and status lists to
 * fetch, and a forged credential must not make the verifier fetch URLs of its choosing. At most
 * MAX_ENDORSEMENTS per credential and MAX_DEPTH levels (endorsements inside an endorser's profile) are verified;
 * any beyond are named as not checked.
 */
import type { Check, CheckDetail, EndorsementReport, VerificationReport } from '../types.js';

/** Endorsements verified per credential; more are reported as not checked (each may cost several fetches). */
export const MAX_ENDORSEMENTS = 16;
/** Levels of endorsements verified: those of the credential (1) and those inside them (2). */
export const MAX_DEPTH = 2;

export interface FoundEndorsement {
  path: string;
  value: unknown;
}

/**
 * Every `endorsement` item and `endorsementJwt` item in a credential, with its path, in document order. The found
 * endorsements themselves are not searched: their own endorsements are found when they are verified.
 *
 * @example
 * ```ts
 * findEndorsements(credential); // [{ path: 'credentialSubject.achievement.endorsement[0]', value: {...} }]
 * ```
 */
export function findEndorsements(credential: Record<string, unknown>): FoundEndorsement[] {
  const found: FoundEndorsement[] = [];
  const walk = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${at}[${i}]`));
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'proof' || key === '@context') continue;
      const path = at ? `${at}.${key}` : key;
      if (key === 'endorsement' || key === 'endorsementJwt') {
        const items = Array.isArray(v) ? v : [v];
        items.forEach((item, i) => found.push({ path: Array.isArray(v) ? `${path}[${i}]` : path, value: item }));
      } else {
        walk(v, path);
      }
    }
  };
  walk(credential, '');
  return found;
}

/** The endorser's name as listed (on a trust list) or as claimed, with its identifier as fall-back. */
function endorserOf(report: VerificationReport): { name: string; claimed: boolean } {
  if (report.signer?.known) return { name: report.signer.known.name, claimed: false };
  const issuer = report.credential?.issuer as { id?: unknown; name?: unknown } | string | undefined;
  if (typeof issuer === 'string') return { name: issuer, claimed: false };
  if (typeof issuer?.name === 'string' && issuer.name.trim()) return { name: issuer.name.trim(), claimed: true };
  if (typeof issuer?.id === 'string') return { name: issuer.id, claimed: false };
  return { name: 'an unnamed endorser', claimed: false };
}

/** "by X" for a listed name or an identifier; "that says it is by X" for a name the endorser gives itself. */
function byEndorser(report: VerificationReport): string {
  const e = endorserOf(report);
  return e.claimed ? `that says it is by ${e.name}` : `by ${e.name}`;
}

function isEndorsementCredential(report: VerificationReport): boolean {
  const type = report.credential?.type;
  return (Array.isArray(type) ? type : [type]).includes('EndorsementCredential');
}

function endorserList(reports: VerificationReport[]): string {
  const all = reports.map(endorserOf);
  const names = [...new Set(all.map((e) => e.name))].join(', ');
  return all.some((e) => e.claimed) ? `by ${names}, as they name themselves` : `by ${names}`;
}

/** One endorsement's line: confirmed, or the first check that stopped it. */
function detailOf(report: EndorsementReport): CheckDetail {
  const who = `The endorsement ${byEndorser(report)} (${report.path})`;
  if (report.credential && !isEndorsementCredential(report)) {
    return { path: report.path, status: 'fail', message: `${who} is not an EndorsementCredential, so it is not an endorsement Open Badges defines.` };
  }
  if (report.verified) return { path: report.path, status: 'pass', message: `${who} is genuine and in force.` };
  const stopped = report.checks.find((c) => c.status === 'fail') ?? report.checks.find((c) => c.status === 'unknown');
  const status = report.checks.some((c) => c.status === 'fail') ? 'fail' : 'unknown';
  return {
    path: report.path,
    status,
    message: `${who} ${status === 'fail' ? 'is not valid' : 'could not be confirmed'}: ${stopped?.message ?? 'no check passed.'}`,
    ...(stopped?.code ? { code: stopped.code } : {}),
  };
}

/**
 * Verifies the found endorsements with `verifyOne` (the verifier itself, one level deeper) and summarises them.
 *
 * @example
 * ```ts
 * const { check, reports } = await checkEndorsements(findEndorsements(credential), 1, (e) => verify(e, options));
 * ```
 */
export async function checkEndorsements(
  found: FoundEndorsement[],
  depth: number,
  verifyOne: (value: string | object) => Promise<VerificationReport>,
): Promise<{ check: Check; reports: EndorsementReport[] }> {
  if (found.length === 0) {
    return { check: { id: 'endorsements', status: 'not-applicable', message: 'The credential carries no endorsements.' }, reports: [] };
  }
  if (depth > MAX_DEPTH) {
    return {
      check: {
        id: 'endorsements',
        status: 'warning',
        message: `The ${found.length === 1 ? 'endorsement' : `${found.length} endorsements`} inside this endorsement ${found.length === 1 ? 'was' : 'were'} not checked: microcred checks endorsements ${MAX_DEPTH} levels deep.`,
      },
      reports: [],
    };
  }
  const reports: EndorsementReport[] = [];
  for (const item of found.slice(0, MAX_ENDORSEMENTS)) {
    const value = item.value;
    const report =
      (typeof value === 'string' || (value !== null && typeof value === 'object' && !Array.isArray(value)))
        ? await verifyOne(value as string | object)
        : await verifyOne(JSON.stringify(value));
    reports.push({ ...report, path: item.path });
  }
  const details = reports.map(detailOf);
  const skipped = found.length - reports.length;
  const skippedNote = skipped > 0 ? ` ${skipped} more ${skipped === 1 ? 'endorsement was' : 'endorsements were'} not checked (microcred checks at most ${MAX_ENDORSEMENTS}).` : '';
  const bad = details.filter((d) => d.status !== 'pass');
  if (bad.length === 0 && skipped === 0) {
    return {
      check: {
        id: 'endorsements',
        status: 'pass',
        message:
          reports.length === 1
            ? `${(details[0] as CheckDetail).message}`
            : `All ${reports.length} endorsements are genuine and in force (${endorserList(reports)}).`,
        details,
      },
      reports,
    };
  }
  const head =
    bad.length === 0
      ? `The ${reports.length === 1 ? 'endorsement that was checked is' : `${reports.length} endorsements that were checked are`} genuine and in force.`
      : reports.length === 1
        ? `${(bad[0] as CheckDetail).message} This does not make the credential itself invalid.`
        : `${bad.length} of the ${reports.length} endorsements ${bad.length === 1 ? 'is' : 'are'} not confirmed (this does not make the credential itself invalid): ${bad
            .map((d) => d.path)
            .join(', ')}; the details say why.`;
  return { check: { id: 'endorsements', status: 'warning', message: head + skippedNote, details }, reports };
}
