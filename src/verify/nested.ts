/**
 * Nested credentials: a CLR 2.0 `ClrCredential` embeds the credentials it summarises
 * (`credentialSubject.verifiableCredential[]`). Each is verified on its own, with the same collaborators, and listed
 * in the report; the transcript is verified only when it and every nested credential are. The transcript's own
 * signature covers the nested ones too, so a changed nested credential also breaks it; the nested results say which.
 */
import { isClrCredential } from '../schema/validate-clr.js';
import type { NestedVerification, VerificationReport } from './types.js';

/** Where a credential type keeps nested credentials (CLR 2.0 only, for now). */
function nestedItems(credential: Record<string, unknown>): { path: string; item: unknown }[] {
  if (!isClrCredential(credential)) return [];
  const subject = credential.credentialSubject as Record<string, unknown> | undefined;
  const listed = subject && typeof subject === 'object' ? subject.verifiableCredential : undefined;
  const items = listed === undefined ? [] : Array.isArray(listed) ? listed : [listed];
  return items.map((item, i) => ({ path: `$.credentialSubject.verifiableCredential[${i}]`, item }));
}

/**
 * Adds `nested` results to a report whose credential embeds credentials, verifying each with `verifyOne`.
 *
 * @example
 * ```ts
 * return withNested(finish(checks), (doc) => verify(doc, { ...options, verifyNested: false }));
 * ```
 */
export async function withNested(
  report: VerificationReport,
  verifyOne: (item: string | object) => Promise<VerificationReport>,
): Promise<VerificationReport> {
  const items = report.credential ? nestedItems(report.credential) : [];
  if (items.length === 0) return report;
  const nested: NestedVerification[] = [];
  for (const { path, item } of items) {
    const r = await verifyOne(item as string | object);
    const id = (r.credential as { id?: unknown } | undefined)?.id;
    nested.push({ path, ...(typeof id === 'string' ? { id } : {}), report: r });
  }
  return { ...report, verified: report.verified && nested.every((n) => n.report.verified), nested };
}
