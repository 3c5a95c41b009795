/**
 * Internal: the employer's verification page. Three ways in, each a plain form that works without script: paste,
 * upload (a file or a baked badge image), or a web address. The answer puts the verdict first, then each check in
 * plain sentences, then what the credential says, laid out as on the learner's page.
 */
import type { ComponentChildren } from 'preact';
import { label } from '../../display/i18n/index.js';
import type { LabelKey, Lang } from '../../display/i18n/index.js';
import { credentialView } from '../../display/view.js';
import type { VerificationReport } from '../../verify/types.js';
import { pageState, signerView } from '../credential-page.js';
import type { CheckedSubmission, SubmissionError, SubmissionSource } from '../verify-submission.js';
import { MAX_UPLOAD_BYTES } from '../verify-submission.js';
import { Checks, CredentialHead, CredentialRows, Section, StatusBanner } from './credential.js';
import type { Reply } from '../http/declare.js';
import { htmlPage } from './page.js';
import type { PageContext } from './page.js';

function Form({ pc, id, children }: { pc: PageContext; id: string; children: ComponentChildren }) {
  return (
    <Section id={id} heading={label(pc.lang, `page.verify.${id.replace('verify-', '')}.heading` as LabelKey)}>
      <form method="post" action={`${pc.base}/verify`} enctype="multipart/form-data">
        {children}
        <button class="button" type="submit">{label(pc.lang, 'page.verify.submit')}</button>
      </form>
    </Section>
  );
}

function Field({ lang, name, kind }: { lang: Lang; name: 'paste' | 'upload' | 'url'; kind: 'textarea' | 'file' | 'url' }) {
  const id = `field-${name}`;
  const hint = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{label(lang, `page.verify.${name}.label` as LabelKey)}</label>
      <p class="hint" id={hint}>{label(lang, `page.verify.${name}.hint` as LabelKey)}</p>
      {kind === 'textarea' && <textarea id={id} name="credential" aria-describedby={hint} spellcheck={false} autocomplete="off"></textarea>}
      {kind === 'file' && <input type="file" id={id} name="file" aria-describedby={hint} accept=".json,.jwt,.txt,.png,.svg,.pdf,application/json,application/ld+json,image/png,image/svg+xml,application/pdf" />}
      {kind === 'url' && <input type="url" id={id} name="url" aria-describedby={hint} inputmode="url" autocomplete="off" spellcheck={false} />}
    </div>
  );
}

/** The page's forms. */
export function VerifyForms({ pc }: { pc: PageContext }) {
  return (
    <>
      <Form pc={pc} id="verify-paste">
        <Field lang={pc.lang} name="paste" kind="textarea" />
      </Form>
      <Form pc={pc} id="verify-upload">
        <Field lang={pc.lang} name="upload" kind="file" />
      </Form>
      <Form pc={pc} id="verify-url">
        <Field lang={pc.lang} name="url" kind="url" />
      </Form>
    </>
  );
}

/** The empty page: what it is for, then the forms. */
export function VerifyStart({ pc, error }: { pc: PageContext; error?: SubmissionError }) {
  return (
    <>
      <h1>{label(pc.lang, 'page.verify.title')}</h1>
      {error && <SubmissionProblem lang={pc.lang} error={error} />}
      <p>{label(pc.lang, 'page.verify.intro')}</p>
      <VerifyForms pc={pc} />
    </>
  );
}

function SubmissionProblem({ lang, error }: { lang: Lang; error: SubmissionError }) {
  const text = error.key === 'tooLarge'
    ? label(lang, 'page.verify.error.tooLarge', { max: `${MAX_UPLOAD_BYTES / 1024 / 1024} MB` })
    : label(lang, `page.verify.error.${error.key}`);
  return (
    <div class="banner banner--bad" role="alert">
      <p class="banner__title">{label(lang, 'page.verify.error.heading')}</p>
      <p>{text}</p>
      {error.detail !== undefined && <p lang={lang === 'en' ? undefined : 'en'}>{error.detail}</p>}
    </div>
  );
}

function SourceNote({ pc, source }: { pc: PageContext; source: SubmissionSource }) {
  return (
    <>
      {source.pdf && <p>{label(pc.lang, 'page.verify.source.pdf')}</p>}
      {source.url !== undefined && <p>{label(pc.lang, 'page.verify.source.url', { url: source.url })}</p>}
      {source.image !== undefined && <p>{label(pc.lang, source.image === 'png' ? 'page.verify.source.png' : 'page.verify.source.svg')}</p>}
    </>
  );
}

/** One credential's result: verdict, checks, then its content. */
function CredentialResult({ pc, report, idPrefix, level, logos }: { pc: PageContext; report: VerificationReport; idPrefix: string; level: 'h2' | 'h3'; logos: ReadonlyMap<string, string> }) {
  const credential = report.credential;
  const issuerLogo = report.signer ? logos.get(report.signer.id) : undefined;
  const view = credential ? { ...credentialView(credential), signer: signerView(report.signer, label(pc.lang, 'page.hostedList', { site: pc.siteName })) } : undefined;
  const state = pageState(report);
  const warnings = report.checks.some((c) => c.status === 'warning');
  return (
    <>
      <StatusBanner lang={pc.lang} state={state} view={view ?? credentialView({})} verdict warnings={warnings} />
      <Checks lang={pc.lang} report={report} headingLevel={level} heading={label(pc.lang, 'page.credential.checksHeading')} />
      {view && (
        <div class="credential-content">
          {level === 'h2' ? <h2 id={`${idPrefix}-content`}>{label(pc.lang, 'page.verify.contentHeading')}</h2> : <h3 id={`${idPrefix}-content`}>{label(pc.lang, 'page.verify.contentHeading')}</h3>}
          <CredentialHead pc={pc} view={view} heading={level === 'h2' ? 'h3' : 'h4'} {...(issuerLogo !== undefined ? { issuerLogo } : {})} />
          <CredentialRows lang={pc.lang} view={view} />
        </div>
      )}
    </>
  );
}

/** The answer to a submission; `logos`: the uploaded logos of hosted issuers that signed, by issuer id. */
export function VerifyResult({ pc, checked, logos = new Map() }: { pc: PageContext; checked: CheckedSubmission; logos?: ReadonlyMap<string, string> }) {
  return (
    <>
      <h1>{label(pc.lang, 'page.verify.title')}</h1>
      <SourceNote pc={pc} source={checked.source} />
      {checked.kind === 'credential' ? (
        <CredentialResult pc={pc} report={checked.report} idPrefix="result" level="h2" logos={logos} />
      ) : (
        <>
          <Section id="presentation" heading={label(pc.lang, 'page.verify.presentation.heading')}>
            <div class={`banner ${checked.report.presentation.verified ? 'banner--ok' : 'banner--bad'}`}>
              <p class="banner__title">{label(pc.lang, checked.report.verified ? 'verdict.valid.title' : 'verdict.invalid.title')}</p>
              <p lang={pc.lang === 'en' ? undefined : 'en'}>{checked.report.presentation.message}</p>
            </div>
          </Section>
          {checked.report.credentials.map((report, i) => (
            <Section id={`credential-${i + 1}`} heading={label(pc.lang, 'page.verify.presentation.credential', { n: i + 1, total: checked.report.credentials.length })}>
              <CredentialResult pc={pc} report={report} idPrefix={`credential-${i + 1}`} level="h3" logos={logos} />
            </Section>
          ))}
        </>
      )}
      <p>
        <a class="button button--secondary" href={`${pc.base}/verify`}>{label(pc.lang, 'page.verify.again')}</a>
      </p>
    </>
  );
}

/**
 * The verification page as a handler's reply: the forms, with the problem of a submission that could not be checked.
 *
 * @example
 * ```ts
 * return verifyStartReply(pc); // GET /verify
 * ```
 */
export function verifyStartReply(pc: PageContext, error?: SubmissionError): Reply {
  return htmlPage(pc, {
    title: label(pc.lang, 'page.verify.title'),
    body: <VerifyStart pc={pc} {...(error ? { error } : {})} />,
    ...(error ? { status: error.status, noindex: true } : {}),
  });
}

/**
 * The answer to a submission as a handler's reply (never indexed, never cached); `logos` as for {@link VerifyResult}.
 *
 * @example
 * ```ts
 * return verifyResultReply(pc, await checkSubmission(ctx, verifier, submission));
 * ```
 */
export function verifyResultReply(pc: PageContext, checked: CheckedSubmission, logos?: ReadonlyMap<string, string>): Reply {
  return htmlPage(pc, { title: label(pc.lang, 'page.verify.title'), body: <VerifyResult pc={pc} checked={checked} {...(logos ? { logos } : {})} />, noindex: true });
}
