/**
 * Internal: error answers of pages, as HTML pages in the reader's language: what happened (by status) and, for a
 * request the reader can correct, the service's own sentence saying what was wrong. Never indexed, never cached.
 */
import { label } from '../../display/i18n/index.js';
import type { LabelKey, Lang } from '../../display/i18n/index.js';
import type { ErrorFormat, ErrorRequest } from '../middleware/problems.js';
import type { HttpProblem } from '../problem.js';
import { htmlPage, pageContext } from './page.js';
import type { PageContext } from './page.js';
import { pageLang } from './lang.js';

const HEADED = new Set([400, 404, 410, 413, 415]);

function heading(lang: Lang, status: number): string {
  if (HEADED.has(status)) return label(lang, `page.error.heading.${status}` as LabelKey);
  return label(lang, status >= 500 ? 'page.error.heading.server' : 'page.error.heading.other');
}

function explanation(lang: Lang, status: number): string {
  if (status === 404 || status === 410) return label(lang, `page.error.text.${status}`);
  return label(lang, status >= 500 ? 'page.error.text.server' : 'page.error.text.other');
}

/** The page context of an error answer (without the service's collaborators: English words, the root path). */
function errorContext(request: ErrorRequest | undefined): PageContext {
  const req = request ?? { headers: {}, query: {} };
  if (req.deps) return pageContext(req, req.deps.ctx);
  return { lang: pageLang(req, false).lang, base: '', siteName: 'microcred', publicUrl: '' };
}

function ErrorBody({ lang, problem }: { lang: Lang; problem: HttpProblem }) {
  const status = problem.status;
  // The service's sentences are English: marked as such on a Welsh page. Server failures say nothing of the inside.
  const detail = status >= 400 && status < 500 && status !== 404 ? problem.message : undefined;
  return (
    <>
      <h1>{heading(lang, status)}</h1>
      <p>{explanation(lang, status)}</p>
      {detail !== undefined && (
        <div class="panel">
          <h2>{label(lang, 'page.error.details')}</h2>
          <p lang={lang === 'en' ? undefined : 'en'}>{detail}</p>
        </div>
      )}
    </>
  );
}

/**
 * Error answers as HTML pages (the error format of `pageRouter` routers).
 *
 * @example
 * ```ts
 * const router: Router = { name: 'pages', errorFormat: htmlErrors, routes };
 * ```
 */
export const htmlErrors: ErrorFormat = {
  mediaType: 'text/html',
  schema: { type: 'string', description: 'An HTML page saying what went wrong, in the reader\'s language.' },
  reply(problem, request) {
    const pc = errorContext(request);
    const page = htmlPage(pc, { title: heading(pc.lang, problem.status), status: problem.status, noindex: true, body: <ErrorBody lang={pc.lang} problem={problem} /> });
    return { status: problem.status, type: 'text/html; charset=utf-8', headers: page.headers ?? {}, body: (page as { body: string }).body };
  },
};
