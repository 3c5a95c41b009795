/**
 * The pages' static files: the stylesheet, the script and the fonts (pages/assets.ts), served by the app itself with
 * an ETag (304 on If-None-Match) and cacheable for a day (their URLs carry a content hash).
 */
import { defineRoute, empty } from '../http/declare.js';
import { enumParam } from '../http/inputs.js';
import { ASSET_NAMES, asset } from '../pages/assets.js';
import type { AssetName } from '../pages/assets.js';
import { pageRouter } from '../pages/router.js';
import { problems } from '../problem.js';

const name = enumParam('path', 'File name.', ASSET_NAMES, (_n, value) => problems.notFound(`There is no file ${JSON.stringify(value)} here.`));

/** Whether an If-None-Match header names the entity tag. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export const assets = pageRouter('assets', [
  defineRoute({
    method: 'get',
    path: '/assets/{name}',
    summary: 'A static file of the pages (stylesheet, script, font)',
    tags: ['pages'],
    auth: 'public',
    params: { name },
    responses: {
      200: { description: 'The file (ETag; cacheable for a day).', content: { 'text/css': { type: 'string' }, 'text/javascript': { type: 'string' }, 'font/woff2': { type: 'string', contentEncoding: 'binary' } } },
      304: empty('Not modified (If-None-Match).'),
    },
    errors: { 404: 'No such file.' },
    handler: ({ path, headers }) => {
      const file = asset(path.name as AssetName);
      const cache = { ETag: file.etag, 'Cache-Control': 'public, max-age=86400' };
      if (matches(headers['if-none-match'], file.etag)) return { status: 304, headers: cache, empty: true };
      return { type: file.type, headers: cache, body: file.body };
    },
  }),
]);
