/**
 * # The service's routers
 *
 * One module per resource. Each exports a `Router`: a name, what its routes share (headers, error format) and its
 * routes, each declared once with `defineRoute` (../http/declare.ts): method, OpenAPI path, summary, tags, the
 * authentication it needs, its path/query parameters and body (schemas that ajv checks and the OpenAPI document
 * shows), its answers, and a handler. A handler gets checked input and the service's collaborators (`ServiceDeps`),
 * calls plain service functions that know nothing of HTTP (../issuance.ts, ../resources.ts, ../vc-api.ts, …) and
 * returns a `Reply`: `{json}`, `{type, body}`, `{type, stream}` or `{empty}`, with `status`, `headers`, `location`.
 * Errors are thrown (`problems.*` from ../problem.ts, or core errors) and answered by ../middleware/problems.ts in
 * the route's error format.
 *
 * ## Adding a router
 * 1. Create `routes/<resource>.ts` exporting a `Router`; put what is not HTTP (rules, representations, storage
 *    calls) in a service module beside ../app.ts, or in the core, and call it from the handlers.
 * 2. Declare parameters with the kinds in ../http/inputs.ts (`slugParam`, `textParam`, `integerParam`,
 *    `enumParam`, `timestampParam`, `cursorParam`, `flagParam`) and bodies with fields (`objectField`, `textField`,
 *    `enumField`, `flagField`, `checkedElsewhere`); a new kind goes there, with the problem that names it.
 * 3. Add it to `ROUTERS` below. The OpenAPI document and the tests that compare it with the routes follow.
 *
 * ## What the declarations already take, for the routers to come
 * - **Pages**: make the router with `pageRouter` (../pages/router.ts) and answer with `htmlPage(pageContext(...), {...})`
 *   (../pages/page.tsx): the router's `headers` carry the pages' CSP and other security headers (set before the
 *   route checks its input, so the route's error answers have them too), its `errorFormat` renders HTML error pages
 *   in the reader's language, chosen by `?lang=` (declare `langQuery`), its cookie or `Accept-Language`. Answers
 *   documented with `html()`.
 * - **Wallet exchanges** (VC-API exchanges, OID4VCI): handlers that wrap plain functions returning
 *   `{status, body, headers}` as `{status, json: body, headers}`; a body with content
 *   `application/x-www-form-urlencoded` is parsed for that route only and its fields checked like JSON fields (the
 *   token endpoint); `errorFormat: oauthErrors` (../middleware/problems.ts) answers `{error, error_description}`
 *   instead of problem+json, with the OAuth code a problem names in its `oauthError` extension.
 * - **Bulk jobs**: a body declared `stream: true` (e.g. content `text/csv` or `application/x-ndjson`) is not
 *   buffered: the route is mounted before the app's body parsers and the handler reads `input.stream`; results are
 *   streamed with `{type: 'application/x-ndjson', stream}` (documented with `ndjson()`), or CSV with `text()`.
 */
import type { Router } from '../http/declare.js';
import { admin } from './admin.js';
import { assets } from './assets.js';
import { claimPages } from './claim.js';
import { courses } from './courses.js';
import { credentials } from './credentials.js';
import { exchanges } from './exchanges.js';
import { issuers } from './issuers.js';
import { offers } from './offers.js';
import { jobs } from './jobs.js';
import { oid4vci } from './oid4vci.js';
import { operations } from './operations.js';
import { credentialPages, pageSettings, verifyPages } from './pages.js';
import { published } from './published.js';
import { stacking } from './stacking.js';
import { stackingPages } from './stacking-pages.js';
import { staffPages } from './staff-pages.js';
import { vcApi } from './vc-api.js';

/** Every router of the service, in the order their routes are matched. */
export const ROUTERS: readonly Router[] = [
  operations,
  published,
  issuers,
  credentials,
  offers,
  exchanges,
  oid4vci,
  claimPages,
  pageSettings,
  courses,
  jobs,
  admin,
  staffPages,
  vcApi,
  stacking,
  stackingPages,
  assets,
  credentialPages,
  verifyPages,
];
