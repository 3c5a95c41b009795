/**
 * Internal: the static files of the pages, served by the app itself (no CDN, nothing from elsewhere): the one
 * stylesheet, the one script (it only enhances: the copy-link button), and the bundled Source Sans 3 faces (SIL
 * Open Font License), so pages look the same everywhere and Welsh letters always have glyphs. Each is read once
 * and served with an ETag; URLs carry a content hash, so a changed file is fetched again at once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../lib/paths.js';

/** Folder of the hand-written stylesheet and script (shipped with the package). */
export const ASSETS_DIR = path.join(PACKAGE_ROOT, 'src', 'service', 'pages', 'assets');

const FONTS_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('source-sans/package.json')), 'WOFF2', 'TTF');

const FILES = {
  'microcred.css': { type: 'text/css; charset=utf-8', file: path.join(ASSETS_DIR, 'microcred.css') },
  'microcred.js': { type: 'text/javascript; charset=utf-8', file: path.join(ASSETS_DIR, 'microcred.js') },
  'source-sans-3-regular.woff2': { type: 'font/woff2', file: path.join(FONTS_DIR, 'SourceSans3-Regular.ttf.woff2') },
  'source-sans-3-semibold.woff2': { type: 'font/woff2', file: path.join(FONTS_DIR, 'SourceSans3-Semibold.ttf.woff2') },
} as const;

export type AssetName = keyof typeof FILES;

/** The names of the assets, for the route's path parameter. */
export const ASSET_NAMES = Object.keys(FILES) as AssetName[];

export interface Asset {
  type: string;
  body: Uint8Array;
  /** Strong entity tag: a hash of the bytes. */
  etag: string;
}

const loaded = new Map<AssetName, Asset>();

/**
 * One asset, read once per process.
 *
 * @example
 * ```ts
 * const css = asset('microcred.css'); // { type: 'text/css; charset=utf-8', body, etag: '"…"' }
 * ```
 */
export function asset(name: AssetName): Asset {
  let a = loaded.get(name);
  if (!a) {
    const { type, file } = FILES[name];
    const body = new Uint8Array(readFileSync(file));
    a = { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
    loaded.set(name, a);
  }
  return a;
}

/**
 * Where a page links to an asset: under the deployment's base path, with a content hash.
 *
 * @example
 * ```ts
 * assetUrl('', 'microcred.css'); // '/assets/microcred.css?v=…'
 * ```
 */
export function assetUrl(base: string, name: AssetName): string {
  return `${base}/assets/${name}?v=${asset(name).etag.slice(1, 9)}`;
}
