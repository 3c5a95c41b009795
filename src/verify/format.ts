/**
 * Human-readable rendering of a verification report (for the CLI).
 */
import { joinMessages, message } from './messages.js';
import type { CheckId, CheckStatus, VerificationReport } from './types.js';

const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warning: '!', 'not-applicable': '–', unknown: '?' };

const TITLE: Record<CheckId, string> = {
  parse: 'Readable',
  context: 'Contexts',
  schema: 'Open Badges schema',
  profile: 'Micro-credential profile',
  proof: 'Signature',
  'issuer-key': 'Issuer key',
  'issuer-trust': 'Known issuer',
  validity: 'Validity dates',
  status: 'Revocation status',
  endorsements: 'Endorsements',
};

/**
 * A one-line verdict, the signer as proven (`report.signer`), then one line per check (mark, title, sentence); under
 * the endorsements check, one line per endorsement (its verdict and, when it is not confirmed, the reason).
 * Marks: ✓ pass, ✗ fail, ! warning, – not applicable, ? unknown.
 *
 * @example
 * ```ts
 * console.log(formatReport(await verify(credential)));
 * // VALID: the credential is genuine and in force.
 * //   Signer: Signed with a key published at credentials.example.ac.uk. Says it is University of Example.
 * //   ✓ Signature: The signature matches: …
 * ```
 */
export function formatReport(report: VerificationReport): string {
  const failed = [report, ...(report.nested ?? []).map((n) => n.report)].some((r) => r.checks.some((c) => c.status === 'fail'));
  const verdict = report.verified
    ? 'VALID: the credential is genuine and in force.'
    : failed
      ? 'NOT VALID: at least one check failed.'
      : 'NOT VERIFIED: at least one check could not be completed.';
  const width = Math.max(...report.checks.map((c) => TITLE[c.id].length));
  const signer = report.signer ? joinMessages(report.signer.messages) : message('verify.signer.unproven').text;
  const lines = report.checks.flatMap((c) => {
    const line = `  ${MARK[c.status]} ${(TITLE[c.id] + ':').padEnd(width + 1)} ${c.message}`;
    if (c.id !== 'endorsements' || !c.details || c.details.length < 2) return [line];
    return [line, ...c.details.map((d) => `      ${MARK[d.status]} ${d.message}`)];
  });
  // A CLR transcript: one line per embedded credential, with the checks that stopped it.
  for (const [i, n] of (report.nested ?? []).entries()) {
    const name = (n.report.credential as { name?: unknown } | undefined)?.name;
    const label = `Embedded credential ${i + 1}${typeof name === 'string' ? ` (${name})` : ''}`;
    const stopped = n.report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown').map((c) => c.message);
    lines.push(`  ${n.report.verified ? MARK.pass : MARK.fail} ${label}: ${n.report.verified ? 'valid.' : `not valid: ${stopped.join(' ')}`}`);
  }
  return [verdict, `  Signer: ${signer}`, ...lines].join('\n');
}
