/**
 * The signed result of a met stacking check: a CLR 2.0 `ClrCredential` (1EdTech Comprehensive Learner Record) that
 * embeds the credentials that counted, exactly as they were verified (with their own proofs), and links each one's
 * achievement to the parent award with an `isPartOf` association. The totals are in the parent achievement (an
 * `ext:UKCredits` / `ext:ECTS` alignment, like microcred's micro-credentials) and in the description.
 */
import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import { ALIGNMENT_TYPES, CREDENTIAL_CONTEXTS, MICROCRED_UUID_NAMESPACE, VOCABULARY } from '../credential/annex1.js';
import { MicrocredError } from '../errors.js';
import { CLR_CONTEXT, CLR_CREDENTIAL_SCHEMA_URL } from '../schema/validate-clr.js';
import type { StackingReport } from './types.js';

export interface ClrBuildOptions {
  /** The signer's identifier; becomes `issuer.id` (it must be the key set's controller). */
  issuerId: string;
  issuerName: string;
  issuerUrl?: string;
  /** Default a fresh `urn:uuid:`. */
  id?: string;
  /** Default now, to the second. */
  validFrom?: string;
  /** Default "Transcript: <parent award>". */
  name?: string;
}

const n = (x: number): string => (Number.isInteger(x) ? String(x) : String(Number(x.toFixed(2))));

/**
 * Builds the unsigned CLR 2.0 transcript of a met stacking report; sign it with `issueCredential(…, { format: 'di' })`.
 *
 * @throws MicrocredError `CREDENTIAL_INVALID` when the report is not met or nothing counted.
 * @example
 * ```ts
 * const report = await checkStacking({ presentation }, rules, { challenge });
 * const clr = buildClrCredential(report, { issuerId: keys.controller, issuerName: 'University of Aldmoor' });
 * const signed = await issueCredential(clr, { format: 'di', keys });
 * ```
 */
export function buildClrCredential(report: StackingReport, options: ClrBuildOptions): Record<string, unknown> {
  if (!report.met) {
    throw new MicrocredError('CREDENTIAL_INVALID', `The credentials do not meet the rules of ${report.rules.title}, so no transcript of a met set can be issued.`);
  }
  const counted = report.credentials.filter((c) => c.status === 'counted' && c.credential);
  if (counted.length === 0) throw new MicrocredError('CREDENTIAL_INVALID', 'No credential counted, so the transcript would be empty.');
  const { rules, totals } = report;
  const parent = rules.parent ?? { name: rules.title };
  const parentId = parent.id ?? `urn:uuid:${uuidv5(`${options.issuerId}#stacking#${parent.code ?? rules.id ?? rules.title}`, MICROCRED_UUID_NAMESPACE)}`;
  const system = totals.system;
  const creditsText = `${n(totals.counted)} ${system} credits`;
  const from = totals.external > 0 ? ` (${n(totals.home)} from the home providers, ${n(totals.external)} from other providers)` : '';

  // JWT credentials cannot be embedded as objects in a ClrSubject; their achievements are listed instead.
  const embedded = counted.filter((c) => c.format !== 'jwt').map((c) => c.credential as Record<string, unknown>);
  const listedOnly = counted.filter((c) => c.format === 'jwt').map((c) => {
    const s = (c.credential as { credentialSubject?: unknown }).credentialSubject;
    return ((Array.isArray(s) ? s[0] : s) as { achievement?: Record<string, unknown> } | undefined)?.achievement;
  }).filter((a): a is Record<string, unknown> => !!a && typeof a.id === 'string');
  const achievementIds = [...new Set(counted.map((c) => c.facts?.achievementId).filter((id): id is string => !!id))];

  const parentAchievement = {
    id: parentId,
    type: ['Achievement'],
    name: parent.name,
    description: parent.description ?? `${parent.name}: the award the credentials of this transcript count towards.`,
    criteria: { ...(parent.url ? { id: parent.url } : {}), narrative: report.requirements.filter((r) => r.role === 'requirement').map((r) => `- ${r.text}`).join('\n') },
    ...(parent.code ? { humanCode: parent.code } : {}),
    ...(rules.totalCredits !== undefined ? { creditsAvailable: rules.totalCredits } : {}),
    alignment: [
      {
        type: ['Alignment'],
        targetType: system === 'UK' ? ALIGNMENT_TYPES.ukCredits : ALIGNMENT_TYPES.ects,
        targetFramework: system === 'UK' ? 'UK credit (1 credit = 10 notional hours of learning)' : 'European Credit Transfer and Accumulation System (ECTS)',
        targetCode: n(totals.counted),
        targetName: `${creditsText} counted`,
        targetUrl: system === 'UK' ? VOCABULARY.ukCredits : VOCABULARY.ects,
      },
    ],
  };
  const subject: Record<string, unknown> = {
    ...(report.learner.did ? { id: report.learner.did } : {}),
    type: ['ClrSubject'],
    ...(!report.learner.did && report.learner.name
      ? { identifier: [{ type: 'IdentityObject', hashed: false, identityHash: report.learner.name, identityType: 'name' }] }
      : {}),
    verifiableCredential: embedded,
    achievement: [parentAchievement, ...listedOnly],
    association: achievementIds.map((sourceId) => ({ type: 'Association', associationType: 'isPartOf', sourceId, targetId: parentId })),
  };
  if (embedded.length === 0) {
    throw new MicrocredError('CREDENTIAL_INVALID', 'Every credential that counted is a JWT; a CLR 2.0 transcript embeds credentials as objects, so it would hold none.');
  }
  return {
    '@context': [CREDENTIAL_CONTEXTS[0], CLR_CONTEXT, CREDENTIAL_CONTEXTS[1], CREDENTIAL_CONTEXTS[2]],
    id: options.id ?? `urn:uuid:${uuidv4()}`,
    type: ['VerifiableCredential', 'ClrCredential'],
    issuer: { id: options.issuerId, type: ['Profile'], name: options.issuerName, ...(options.issuerUrl ? { url: options.issuerUrl } : {}) },
    validFrom: options.validFrom ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    name: options.name ?? `Transcript: ${parent.name}`,
    description: `${creditsText} counted towards ${parent.name}${from}, from ${counted.length} credential${counted.length === 1 ? '' : 's'} checked against its rules.`,
    credentialSubject: subject,
    credentialSchema: [{ id: CLR_CREDENTIAL_SCHEMA_URL, type: '1EdTechJsonSchemaValidator2019' }],
  };
}
