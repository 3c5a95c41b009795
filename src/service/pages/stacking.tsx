/**
 * Internal: the staff page for stacking. Upload a learner's set (files) or receive it from the learner's wallet (a
 * QR code of the exchange's interaction URL), pick a stored parent course or upload rules, and read the report in
 * plain sentences. The page's own words are English and Welsh; the report's sentences are English (marked so on a
 * Welsh page). Works without script.
 */
import type { Lang } from '../../display/i18n/index.js';
import type { PageContext } from './page.js';

const WORDS = {
  en: {
    title: 'Check credentials against a course',
    intro: 'Check whether a learner’s micro-credentials count towards a parent course. Each credential is verified, and its credit counted against the course’s rules.',
    rules: 'The course',
    parentCourse: 'Parent course',
    noCourse: 'None: I will upload rules',
    rulesFile: 'Or upload the rules (a JSON file)',
    rulesHint: 'Only if the course is not in the list: its stacking rules, as a JSON document.',
    uploadHeading: 'Upload the credentials',
    files: 'Credentials',
    filesHint: 'JSON or JWT files, baked PNG or SVG badges, or a presentation. You can choose several files.',
    learnerName: 'Learner’s name (optional)',
    learnerHint: 'Used to match credentials that name the learner but carry no DID.',
    check: 'Check',
    walletHeading: 'Receive from the learner’s wallet',
    walletIntro: 'The learner scans a QR code with the Learner Credential Wallet and shares their credentials.',
    startWallet: 'Show a QR code',
    noCourses: 'No parent courses are stored on this server yet; upload rules instead.',
    met: 'Met',
    notMet: 'Not met',
    requirements: 'What each rule counted',
    credentials: 'How each credential was used',
    notes: 'Notes',
    totals: 'Credit counted',
    again: 'Check another set',
    scan: 'Ask the learner to scan this code with their wallet',
    qrAlt: 'QR code of the wallet request',
    link: 'Link for the wallet',
    waiting: 'Waiting for the learner’s wallet.',
    refresh: 'Check for the result',
    expires: 'This request is open until',
    presentation: 'The presentation',
  },
  cy: {
    title: 'Gwirio tystlythyrau yn erbyn cwrs',
    intro: 'Gwiriwch a yw micro-gymwysterau dysgwr yn cyfrif tuag at gwrs rhiant. Caiff pob tystlythyr ei ddilysu, a’i gredyd ei gyfrif yn erbyn rheolau’r cwrs.',
    rules: 'Y cwrs',
    parentCourse: 'Cwrs rhiant',
    noCourse: 'Dim: byddaf yn llwytho rheolau',
    rulesFile: 'Neu llwythwch y rheolau (ffeil JSON)',
    rulesHint: 'Dim ond os nad yw’r cwrs yn y rhestr: ei reolau pentyrru, fel dogfen JSON.',
    uploadHeading: 'Llwytho’r tystlythyrau',
    files: 'Tystlythyrau',
    filesHint: 'Ffeiliau JSON neu JWT, bathodynnau PNG neu SVG, neu gyflwyniad. Gallwch ddewis sawl ffeil.',
    learnerName: 'Enw’r dysgwr (dewisol)',
    learnerHint: 'Fe’i defnyddir i baru tystlythyrau sy’n enwi’r dysgwr heb DID.',
    check: 'Gwirio',
    walletHeading: 'Derbyn o waled y dysgwr',
    walletIntro: 'Mae’r dysgwr yn sganio cod QR gyda’r Learner Credential Wallet ac yn rhannu ei dystlythyrau.',
    startWallet: 'Dangos cod QR',
    noCourses: 'Nid oes cyrsiau rhiant ar y gweinydd hwn eto; llwythwch reolau yn lle hynny.',
    met: 'Wedi’i fodloni',
    notMet: 'Heb ei fodloni',
    requirements: 'Beth a gyfrifodd pob rheol',
    credentials: 'Sut y defnyddiwyd pob tystlythyr',
    notes: 'Nodiadau',
    totals: 'Credyd a gyfrifwyd',
    again: 'Gwirio set arall',
    scan: 'Gofynnwch i’r dysgwr sganio’r cod hwn gyda’i waled',
    qrAlt: 'Cod QR cais y waled',
    link: 'Dolen ar gyfer y waled',
    waiting: 'Yn aros am waled y dysgwr.',
    refresh: 'Gwirio am y canlyniad',
    expires: 'Mae’r cais hwn ar agor tan',
    presentation: 'Y cyflwyniad',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type StackingWord = keyof (typeof WORDS)['en'];

/** A word of the stacking page in the reader's language. */
export function stackingWord(lang: Lang, key: StackingWord): string {
  return WORDS[lang][key];
}

export interface CourseChoice {
  issuer: string;
  issuerName: string;
  code: string;
  title: string;
}

/** A credit total as each language writes it (Welsh: the singular noun after a numeral, "120 credyd y DU"). */
function creditsText(lang: Lang, n: number, system: string): string {
  if (lang === 'cy') return `${n} credyd ${system === 'UK' ? 'y DU' : system}`;
  return `${n} ${system} credit${n === 1 ? '' : 's'}`;
}

/** The English text of the report, marked as English on a page in another language. */
const en = (lang: Lang): { lang?: string } => (lang === 'en' ? {} : { lang: 'en' });

function CoursePicker({ pc, courses, id }: { pc: PageContext; courses: CourseChoice[]; id: string }) {
  const w = (k: StackingWord) => stackingWord(pc.lang, k);
  return (
    <fieldset>
      <legend class="label">{w('rules')}</legend>
      {courses.length > 0 ? (
        <div class="field">
          <label for={`${id}-course`}>{w('parentCourse')}</label>
          <select id={`${id}-course`} name="parentCourse">
            <option value="">{w('noCourse')}</option>
            {courses.map((c) => (
              <option value={`${c.issuer}/${c.code}`}>{`${c.title} (${c.code}, ${c.issuerName})`}</option>
            ))}
          </select>
        </div>
      ) : (
        <p class="hint">{w('noCourses')}</p>
      )}
      <div class="field">
        <label for={`${id}-rules`}>{w('rulesFile')}</label>
        <p class="hint" id={`${id}-rules-hint`}>{w('rulesHint')}</p>
        <input type="file" id={`${id}-rules`} name="rules" accept="application/json,.json" aria-describedby={`${id}-rules-hint`} />
      </div>
    </fieldset>
  );
}

/**
 * The form page: upload a set, or start a wallet request.
 *
 * @example
 * ```tsx
 * htmlPage(pc, { title: stackingWord(pc.lang, 'title'), body: <StackingForm pc={pc} courses={courses} /> });
 * ```
 */
export function StackingForm({ pc, courses }: { pc: PageContext; courses: CourseChoice[] }) {
  const w = (k: StackingWord) => stackingWord(pc.lang, k);
  return (
    <>
      <h1>{w('title')}</h1>
      <p>{w('intro')}</p>
      <section class="panel" aria-labelledby="upload-heading">
        <h2 id="upload-heading">{w('uploadHeading')}</h2>
        <form method="post" action={`${pc.base}/stacking`} enctype="multipart/form-data">
          <div class="field">
            <label for="upload-files">{w('files')}</label>
            <p class="hint" id="upload-files-hint">{w('filesHint')}</p>
            <input type="file" id="upload-files" name="credential" multiple required aria-describedby="upload-files-hint" />
          </div>
          <CoursePicker pc={pc} courses={courses} id="upload" />
          <div class="field">
            <label for="upload-learner">{w('learnerName')}</label>
            <p class="hint" id="upload-learner-hint">{w('learnerHint')}</p>
            <input type="text" id="upload-learner" name="learnerName" autocomplete="off" aria-describedby="upload-learner-hint" />
          </div>
          <button type="submit" class="button">{w('check')}</button>
        </form>
      </section>
      <section class="panel" aria-labelledby="wallet-heading">
        <h2 id="wallet-heading">{w('walletHeading')}</h2>
        <p>{w('walletIntro')}</p>
        <form method="post" action={`${pc.base}/stacking/wallet`} enctype="multipart/form-data">
          <CoursePicker pc={pc} courses={courses} id="wallet" />
          <button type="submit" class="button">{w('startWallet')}</button>
        </form>
      </section>
    </>
  );
}

/** The report's parts as the page shows them (the API's report JSON). */
interface ReportView {
  met: boolean;
  sentences: string[];
  totals: { counted: number; system: string };
  presentation?: { message: string };
  requirements: { met: boolean; role: string; text: string }[];
  credentials: { status: string; text: string }[];
  notes: { text: string }[];
  allocation?: { text: string; method: string };
}

/**
 * The report in plain sentences: the verdict, each rule, each credential, the notes.
 *
 * @example
 * ```tsx
 * <StackingReportView pc={pc} report={reportJson(report)} />
 * ```
 */
export function StackingReportView({ pc, report: r }: { pc: PageContext; report: Record<string, unknown> }) {
  const report = r as unknown as ReportView;
  const w = (k: StackingWord) => stackingWord(pc.lang, k);
  const mark = (ok: boolean) => <span class={`mark mark--${ok ? 'pass' : 'fail'}`} aria-hidden="true">{ok ? '✓' : '✗'}</span>;
  return (
    <>
      <div class={`banner banner--${report.met ? 'ok' : 'bad'}`} role="status">
        <p class="banner__title">{report.met ? w('met') : w('notMet')}</p>
        <p {...en(pc.lang)}>{report.sentences[0]}</p>
        <p>
          {w('totals')}: {creditsText(pc.lang, report.totals.counted, report.totals.system)}
        </p>
      </div>
      {report.presentation && (
        <>
          <h2>{w('presentation')}</h2>
          <p {...en(pc.lang)}>{report.presentation.message}</p>
        </>
      )}
      <h2>{w('requirements')}</h2>
      <ul class="checks">
        {report.requirements.map((q) => (
          <li>
            {mark(q.met)}
            <p class="check__text" {...en(pc.lang)}>{q.text}</p>
          </li>
        ))}
      </ul>
      <h2>{w('credentials')}</h2>
      <ul class="checks">
        {report.credentials.map((c) => (
          <li>
            {mark(c.status === 'counted')}
            <p class="check__text" {...en(pc.lang)}>{c.text}</p>
          </li>
        ))}
      </ul>
      {(report.notes.length > 0 || (report.allocation && report.allocation.method !== 'none')) && (
        <>
          <h2>{w('notes')}</h2>
          <ul {...en(pc.lang)}>
            {report.allocation && report.allocation.method !== 'none' && <li>{report.allocation.text}</li>}
            {report.notes.map((n) => <li>{n.text}</li>)}
          </ul>
        </>
      )}
      <p>
        <a href={`${pc.base}/stacking`}>{w('again')}</a>
      </p>
    </>
  );
}


/**
 * The wallet request while it waits: the QR code, the link, and a link to look for the result.
 *
 * @example
 * ```tsx
 * <WalletWaiting pc={pc} interaction={url} qr={await qrImageUrl(url)} expiresAt={at} self={pageUrl} title={title} />
 * ```
 */
export function WalletWaiting(p: { pc: PageContext; interaction: string; qr: string; expiresAt: string; self: string; title: string }) {
  const w = (k: StackingWord) => stackingWord(p.pc.lang, k);
  return (
    <>
      <h1>{w('walletHeading')}</h1>
      <p>
        {w('rules')}: {p.title}
      </p>
      <h2>{w('scan')}</h2>
      <p>
        <img src={p.qr} alt={w('qrAlt')} width={240} height={240} />
      </p>
      <div class="field">
        <label for="interaction-link">{w('link')}</label>
        <input type="text" id="interaction-link" readonly value={p.interaction} />
      </div>
      <p role="status">{w('waiting')}</p>
      <p>
        {w('expires')} <time datetime={p.expiresAt}>{p.expiresAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>.
      </p>
      <p>
        <a class="button" href={p.self}>{w('refresh')}</a>
      </p>
    </>
  );
}
