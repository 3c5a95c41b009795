/**
 * English labels. This catalogue defines the keys: every other language has exactly the same ones (the type
 * checker requires it of `cy.ts`, and a test compares them).
 *
 * Keys are grouped by prefix: `element.*` names a part of the credential, `value.*` phrases a value
 * (`{name}` placeholders), `framework.*`, `achievementType.*`, `status.*` name standard vocabularies,
 * `badge.*` and `certificate.*` belong to those outputs. Pages add their own prefix (e.g. `page.*`, `verdict.*`).
 *
 * Where microcred itself writes a phrase into the credentials it issues (the level, credit, participation,
 * supervision and stackability alignments of src/credential/annex1.ts), the English value here is the same
 * phrase, so showing the label in English shows what was signed; a test holds the two together.
 */
export const en = {
  // The parts of a credential, in the order an employer reads them.
  'element.learner': 'Awarded to',
  'element.title': 'Title',
  'element.achievementType': 'Type of achievement',
  'element.description': 'Description',
  'element.awardingBody': 'Awarding body',
  'element.issuer': 'Issued by',
  'element.signer': 'Signed by',
  'element.country': 'Country/region',
  'element.ukprn': 'UK Provider Reference Number (UKPRN)',
  'element.website': 'Website',
  'element.contact': 'Contact',
  'element.issued': 'Date of issue',
  'element.awarded': 'Date awarded',
  'element.credits': 'Credits',
  'element.level': 'Level',
  'element.subject': 'Subject',
  'element.learningOutcomes': 'Learning outcomes',
  'element.criteria': 'Criteria',
  'element.participation': 'Form of participation',
  'element.assessment': 'Type of assessment',
  'element.supervision': 'Supervision and identity verification',
  'element.qualityAssurance': 'Quality assurance',
  'element.psrb': 'Professional, statutory or regulatory body recognition',
  'element.prerequisites': 'Prerequisites',
  'element.stackability': 'Integration and stacking',
  'element.grade': 'Grade',
  'element.furtherInformation': 'Further information',
  'element.validFrom': 'Valid from',
  'element.validUntil': 'Valid until',
  'element.courseCode': 'Course code',
  'element.language': 'Language of study',
  'element.studyPeriod': 'Period of study',
  'element.assessor': 'Assessed by',
  'element.evidence': 'Evidence',
  'element.term': 'Term',
  'element.role': 'Role',
  'element.licenseNumber': 'Licence number',
  'element.specialization': 'Specialisation',
  'element.alignments': 'Other alignments',
  'element.credentialId': 'Credential identifier',

  // Values.
  'value.credits.uk': '{n} UK credits',
  'value.credits.ukWithHours': '{n} UK credits ({hours} notional hours)',
  'value.credits.ects': '{n} ECTS credits',
  'value.credits.unspecified': '{n} credits',
  'value.credits.earned': '{n} credits earned',
  'value.level.framework': '{framework} level {level}',
  'value.level.entry': '{framework} Entry {level}',
  'value.level.eqf': 'EQF level {level}',
  'value.subject.coded': '{term} ({scheme} {code})',
  'value.participation.online': 'Online',
  'value.participation.on-site': 'On site',
  'value.participation.blended': 'Blended',
  'value.participation.synchronous': '{mode} (synchronous)',
  'value.participation.asynchronous': '{mode} (asynchronous)',
  'value.supervision.unsupervised-no-id-verification': 'Unsupervised with no identity verification',
  'value.supervision.supervised-no-id-verification': 'Supervised with no identity verification',
  'value.supervision.supervised-with-id-verification': 'Supervised with identity verification',
  'value.supervision.online': '{option} (online)',
  'value.supervision.on-site': '{option} (on site)',
  'value.stackability.stand-alone': 'Stand-alone, independent micro-credential',
  'value.stackability.integrated': 'Integrated, stackable towards {parent}',
  'value.grade.scale': '{value} (scale: {scale})',
  'value.grade.range': '{value} (from {min} to {max})',
  'value.grade.percent': '{value}%',
  'value.studyPeriod.range': '{start} to {end}',
  'value.studyPeriod.from': 'from {start}',
  'value.studyPeriod.until': 'until {end}',
  'value.listSeparator': ', ',
  'value.signer.didWeb': 'Signed with a key published at {host}',
  'value.signer.didKey': 'A self-asserted key (did:key), not tied to any organisation',
  'value.signer.other': 'Signed with the key {id}',
  'value.signer.known': '{name}, listed in {list}',
  'value.issuer.claims': 'says it is {name}',

  // Open Badges 3.0 AchievementType vocabulary.
  'achievementType.Achievement': 'Achievement',
  'achievementType.ApprenticeshipCertificate': 'Apprenticeship certificate',
  'achievementType.Assessment': 'Assessment',
  'achievementType.Assignment': 'Assignment',
  'achievementType.AssociateDegree': 'Associate degree',
  'achievementType.Award': 'Award',
  'achievementType.Badge': 'Badge',
  'achievementType.BachelorDegree': 'Bachelor’s degree',
  'achievementType.Certificate': 'Certificate',
  'achievementType.CertificateOfCompletion': 'Certificate of completion',
  'achievementType.Certification': 'Certification',
  'achievementType.CommunityService': 'Community service',
  'achievementType.Competency': 'Competency',
  'achievementType.Course': 'Course',
  'achievementType.CoCurricular': 'Co-curricular activity',
  'achievementType.Degree': 'Degree',
  'achievementType.Diploma': 'Diploma',
  'achievementType.DoctoralDegree': 'Doctoral degree',
  'achievementType.Fieldwork': 'Fieldwork',
  'achievementType.GeneralEducationDevelopment': 'General Educational Development (GED) certificate',
  'achievementType.JourneymanCertificate': 'Journeyman certificate',
  'achievementType.LearningProgram': 'Learning programme',
  'achievementType.License': 'Licence',
  'achievementType.Membership': 'Membership',
  'achievementType.ProfessionalDoctorate': 'Professional doctorate',
  'achievementType.QualityAssuranceCredential': 'Quality assurance credential',
  'achievementType.MasterCertificate': 'Master’s certificate',
  'achievementType.MasterDegree': 'Master’s degree',
  'achievementType.MicroCredential': 'Micro-credential',
  'achievementType.ResearchDoctorate': 'Research doctorate',
  'achievementType.SecondarySchoolDiploma': 'Secondary school diploma',

  // Open Badges 3.0 ResultStatusType vocabulary.
  'status.Completed': 'Completed',
  'status.Enrolled': 'Enrolled',
  'status.Failed': 'Failed',
  'status.InProgress': 'In progress',
  'status.OnHold': 'On hold',
  'status.Provisional': 'Provisional',
  'status.Withdrew': 'Withdrew',

  // UK and EU level frameworks.
  'framework.FHEQ': 'Framework for Higher Education Qualifications (FHEQ)',
  'framework.SCQF': 'Scottish Credit and Qualifications Framework (SCQF)',
  'framework.RQF': 'Regulated Qualifications Framework (RQF)',
  'framework.CQFW': 'Credit and Qualifications Framework for Wales (CQFW)',
  'framework.EQF': 'European Qualifications Framework (EQF)',

  // Badge image.
  'badge.accessibleName': '{title}, from {issuer}',
  'badge.noTitle': 'Badge',

  // PDF certificate.
  'certificate.heading': 'Certificate',
  'certificate.documentTitle': '{title}: certificate for {name}',
  'certificate.verifyHeading': 'Check this credential',
  'certificate.verifyText': 'Scan the QR code or open the link to see the signed credential and whether it is still valid.',
  'certificate.notice': 'This certificate is a printed summary. The signed digital credential is the authoritative record.',
  'certificate.page': 'Page {n} of {total}',
  'certificate.details': 'Details',
} as const;

/** A label catalogue: the same keys as the English one. */
export type Catalogue = { readonly [K in keyof typeof en]: string };

/** A key of the label catalogues. */
export type LabelKey = keyof typeof en;
