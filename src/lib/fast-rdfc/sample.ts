/** The known OB 3.0 credential of the self-test and the benchmark's sample workload (internal). */
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_303 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

/**
 * The BASELINE shape: Profile issuer, one Result, three alignments, a LetterGrade ResultDescription (63 quads).
 *
 * @example
 * ```ts
 * const cred = sampleCredential('did:key:z6Mk…', 'urn:uuid:…');
 * ```
 */
export function sampleCredential(issuerDid: string, id: string): Record<string, unknown> {
  return {
    '@context': [VC_V2, OB_303],
    id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: issuerDid, type: ['Profile'], name: 'Example University', url: 'https://example.edu', email: 'registrar@example.edu' },
    validFrom: '2026-01-15T10:00:00Z',
    name: 'Cybersecurity Fundamentals',
    credentialSubject: {
      id: 'did:example:learner-7',
      type: ['AchievementSubject'],
      activityStartDate: '2025-09-01',
      activityEndDate: '2025-12-20',
      creditsEarned: 4,
      term: 'Fall 2025',
      result: [{ type: ['Result'], resultDescription: 'urn:uuid:f6a1b2c3-0000-4000-a000-000000000001', value: 'A' }],
      achievement: {
        id: 'https://example.edu/achievements/cyb4010',
        type: ['Achievement'],
        name: 'Cybersecurity Fundamentals',
        description: 'Threat models, cryptography basics, secure operations.',
        criteria: { narrative: 'Pass the final exam and the lab portfolio.' },
        creditsAvailable: 4,
        fieldOfStudy: 'Computer Science',
        specialization: 'Security',
        humanCode: 'CYB4010',
        achievementType: 'Course',
        alignment: [
          { type: ['Alignment'], targetName: 'Threat analysis', targetUrl: 'https://esco.example/skill/1', targetFramework: 'ESCO', targetType: 'ceasn:Competency' },
          { type: ['Alignment'], targetName: 'Applied cryptography', targetUrl: 'https://esco.example/skill/2', targetFramework: 'ESCO', targetType: 'ceasn:Competency' },
          { type: ['Alignment'], targetName: 'Secure operations', targetUrl: 'https://esco.example/skill/3', targetFramework: 'ESCO', targetType: 'ceasn:Competency' },
        ],
        resultDescription: [
          { id: 'urn:uuid:f6a1b2c3-0000-4000-a000-000000000001', type: ['ResultDescription'], name: 'Final grade', resultType: 'LetterGrade', allowedValue: ['A', 'B', 'C', 'D', 'F'] },
        ],
      },
    },
  };
}
