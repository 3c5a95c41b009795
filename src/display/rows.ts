/**
 * The credential view as labelled rows in one language, in the order an employer reads them: the one place that
 * decides order and wording for every output (the PDF certificate now, the pages later).
 *
 * microcred's own coded values (participation mode, supervision option, stacking, levels, credits, statuses) are
 * phrased from the catalogue; everything else is the credential's text as issued.
 */
import { hasLabel, formatDate, formatNumber, label, languageName, type LabelKey, type Lang } from './i18n/index.js';
import type { CredentialView, GradeView, LevelView, OrganisationView, SignerView } from './view.js';

type ElementKey<K> = K extends `element.${infer Name}` ? Name : never;

/** The rows, in display order; each has the label `element.<key>`. */
export const ROW_KEYS = [
  'learner', 'title', 'achievementType', 'description',
  'awardingBody', 'issuer', 'signer',
  'issued', 'awarded',
  'credits', 'level', 'subject', 'learningOutcomes', 'criteria', 'participation', 'assessment', 'supervision',
  'qualityAssurance', 'psrb', 'prerequisites', 'stackability', 'grade', 'furtherInformation',
  'validFrom', 'validUntil',
  'courseCode', 'specialization', 'language', 'studyPeriod', 'term', 'role', 'licenseNumber', 'assessor',
  'evidence', 'alignments', 'credentialId',
] as const satisfies readonly ElementKey<LabelKey>[];

export type RowKey = (typeof ROW_KEYS)[number];

export interface RowItem {
  text: string;
  /** A sub-label, e.g. "UKPRN" inside the awarding body row. */
  label?: string;
  /** An http(s) link for the text. */
  url?: string;
}

export interface ViewRow {
  key: RowKey;
  label: string;
  items: RowItem[];
}

/**
 * The rows of a credential view in `lang`: only rows that have something to show.
 *
 * @example
 * ```ts
 * for (const row of credentialRows(credentialView(credential), 'cy')) {
 *   console.log(row.label, row.items.map((i) => i.text).join('; '));
 * }
 * ```
 */
export function credentialRows(view: CredentialView, lang: Lang): ViewRow[] {
  const L = (key: LabelKey, params?: Record<string, string | number>): string => label(lang, key, params);
  const n = (value: number): string => formatNumber(value, lang);
  const date = (value: string): string => formatDate(value, lang);
  const item = (text: string | undefined, url?: string, sub?: string): RowItem[] =>
    text === undefined ? [] : [{ text, ...(url !== undefined ? { url } : {}), ...(sub !== undefined ? { label: sub } : {}) }];

  const organisation = (o: OrganisationView | undefined): RowItem[] => {
    if (o === undefined) return [];
    const place = [o.locality, o.region, o.country ?? o.countryCode].filter((p): p is string => p !== undefined);
    return [
      ...item(o.name ?? o.id, o.url),
      ...(place.length > 0 ? item(place.join(L('value.listSeparator')), undefined, L('element.country')) : []),
      ...item(o.ukprn, undefined, L('element.ukprn')),
      ...(o.url !== undefined ? item(o.url, o.url, L('element.website')) : []),
      ...item(o.email, undefined, L('element.contact')),
    ];
  };

  const level = (l: LevelView): string => {
    if (l.framework !== undefined && l.level !== undefined && ['FHEQ', 'SCQF', 'RQF', 'CQFW'].includes(l.framework)) {
      const entry = /^entry(\d)$/.exec(l.level);
      return entry
        ? L('value.level.entry', { framework: l.framework, level: entry[1] as string })
        : L('value.level.framework', { framework: l.framework, level: l.level });
    }
    return l.text || [l.framework, l.level].filter(Boolean).join(' ');
  };

  const grade = (g: GradeView): string => {
    const status = g.status !== undefined && hasLabel(`status.${g.status}`) ? L(`status.${g.status}` as LabelKey) : g.status;
    let value = g.value ?? g.level ?? status ?? '';
    if (g.value !== undefined && g.resultType === 'Percent') value = g.name?.includes('%') ? g.value : L('value.grade.percent', { value: g.value });
    else if (g.value !== undefined && g.scale !== undefined) value = L('value.grade.scale', { value: g.value, scale: g.scale.join(L('value.listSeparator')) });
    else if (g.value !== undefined && g.min !== undefined && g.max !== undefined) value = L('value.grade.range', { value: g.value, min: g.min, max: g.max });
    return g.name !== undefined && g.name !== value ? `${g.name}: ${value}` : value;
  };

  const signer = (sg: SignerView | null): RowItem[] => {
    if (sg === null) return [];
    const proven = sg.method === 'did:key' ? L('value.signer.didKey')
      : sg.host !== undefined ? L('value.signer.didWeb', { host: sg.host })
      : L('value.signer.other', { id: sg.id });
    return [...(sg.known ? item(L('value.signer.known', sg.known)) : []), ...item(proven)];
  };

  const { credits, course } = view;
  const creditItems: RowItem[] = [
    ...(credits.uk !== undefined
      ? item(credits.notionalHours !== undefined
        ? L('value.credits.ukWithHours', { n: n(credits.uk), hours: n(credits.notionalHours) })
        : L('value.credits.uk', { n: n(credits.uk) }))
      : []),
    ...(credits.ects !== undefined ? item(L('value.credits.ects', { n: n(credits.ects) })) : []),
    ...(credits.uk === undefined && credits.ects === undefined && credits.available !== undefined
      ? item(L('value.credits.unspecified', { n: n(credits.available) }))
      : []),
    // No credit (a CPD course): the workload in hours, never "0 credits".
    ...(credits.uk === undefined && credits.ects === undefined && credits.available === undefined && credits.notionalHours !== undefined
      ? item(L('value.credits.hoursOnly', { hours: n(credits.notionalHours) }))
      : []),
    ...(credits.earned !== undefined && credits.earned !== (credits.uk ?? credits.available)
      ? item(L('value.credits.earned', { n: n(credits.earned) }))
      : []),
  ];

  const participation = view.participation;
  const participationText = participation?.mode !== undefined && participation.synchronous !== undefined
    ? L(participation.synchronous ? 'value.participation.synchronous' : 'value.participation.asynchronous', {
      mode: L(`value.participation.${participation.mode}`),
    })
    : participation?.text;

  const supervision = view.supervision;
  const supervisionText = supervision?.option !== undefined
    ? supervision.setting !== undefined
      ? L(`value.supervision.${supervision.setting}`, { option: L(`value.supervision.${supervision.option}`) })
      : L(`value.supervision.${supervision.option}`)
    : supervision?.text;

  const stack = view.stackability;
  const stackText = stack?.type === 'stand-alone' ? L('value.stackability.stand-alone')
    : stack?.type === 'integrated' && stack.parent !== undefined ? L('value.stackability.integrated', { parent: stack.parent.title })
    : stack?.text;

  const studyPeriod = course.studyStart !== undefined && course.studyEnd !== undefined
    ? L('value.studyPeriod.range', { start: date(course.studyStart), end: date(course.studyEnd) })
    : course.studyStart !== undefined ? L('value.studyPeriod.from', { start: date(course.studyStart) })
    : course.studyEnd !== undefined ? L('value.studyPeriod.until', { end: date(course.studyEnd) })
    : undefined;

  const eqf = view.level.eqf !== undefined ? L('value.level.eqf', { level: n(view.level.eqf) }) : view.level.eqfText;
  const achievementType = view.achievementType !== undefined && hasLabel(`achievementType.${view.achievementType}`)
    ? L(`achievementType.${view.achievementType}` as LabelKey)
    : view.achievementType?.replace(/^ext:/, '');
  const sameDay = (x?: string, y?: string): boolean => x !== undefined && y !== undefined && x.slice(0, 10) === y.slice(0, 10);

  const content: Record<RowKey, RowItem[]> = {
    learner: item(view.learner.name),
    title: item(view.title),
    achievementType: item(achievementType),
    description: item(view.description),
    awardingBody: organisation(view.awardingBody ?? view.issuer),
    issuer: view.awardingBody !== undefined ? organisation(view.issuer) : [],
    signer: signer(view.signer),
    issued: view.dates.issued !== undefined ? item(date(view.dates.issued)) : [],
    awarded: view.dates.awarded !== undefined && !sameDay(view.dates.awarded, view.dates.issued) ? item(date(view.dates.awarded)) : [],
    credits: creditItems,
    level: [...view.level.frameworks.map((l) => ({ text: level(l) })), ...item(eqf)],
    subject: view.subjects.map((x) => ({ text: x.code !== undefined && x.scheme !== 'field' ? L('value.subject.coded', { term: x.term, scheme: x.scheme, code: x.code }) : x.term })),
    learningOutcomes: view.learningOutcomes.flatMap((o) => item(o.text, o.url)),
    // The narrative repeats the outcomes in microcred's credentials; shown only when there are no outcome alignments.
    criteria: view.learningOutcomes.length === 0 ? item(view.criteria?.narrative, view.criteria?.url) : [],
    participation: [...item(participationText), ...item(participation?.description)],
    assessment: view.assessment.flatMap((x) => [...item(x.text), ...item(x.description)]),
    supervision: item(supervisionText),
    qualityAssurance: view.qualityAssurance.flatMap((q) => item(q.body !== undefined ? `${q.body}: ${q.text}` : q.text, q.url)),
    psrb: view.psrb.flatMap((p) => item(p.body !== undefined ? `${p.body}: ${p.recognition}` : p.recognition, p.url)),
    prerequisites: view.prerequisites.flatMap((p) => item(p)),
    stackability: [
      ...item(stackText, stack?.parent?.url ?? stack?.url),
      ...item(stack?.parent?.description),
    ],
    grade: view.grades.flatMap((g) => item(grade(g) || undefined)),
    furtherInformation: view.furtherInformation.flatMap((f) => item(f.text, f.url)),
    validFrom: view.dates.validFrom !== undefined && !sameDay(view.dates.validFrom, view.dates.issued) ? item(date(view.dates.validFrom)) : [],
    validUntil: view.dates.validUntil !== undefined ? item(date(view.dates.validUntil)) : [],
    courseCode: item(course.code),
    specialization: item(course.specialization),
    language: course.language !== undefined ? item(languageName(course.language, lang)) : [],
    studyPeriod: item(studyPeriod),
    term: item(course.term),
    role: item(course.role),
    licenseNumber: item(course.licenseNumber),
    assessor: item(course.assessor?.name ?? course.assessor?.id, course.assessor?.url),
    evidence: view.evidence.flatMap((e) => item([e.name, e.description ?? e.narrative].filter(Boolean).join(': ') || e.url, e.url)),
    alignments: view.otherAlignments.flatMap((al) => item(al.code !== undefined ? `${al.name} (${al.code})` : al.name, al.url)),
    credentialId: item(view.id),
  };

  return ROW_KEYS.filter((key) => content[key].length > 0).map((key) => ({ key, label: L(`element.${key}`), items: content[key] }));
}
