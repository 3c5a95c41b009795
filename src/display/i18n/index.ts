/**
 * Labels for everything microcred shows people (the credential view, the badge image, the PDF certificate), in
 * English and Welsh. Only microcred's own words are translated: the credential's text stays as issued.
 */
import { MicrocredError } from '../../errors.js';
import { cy } from './cy.js';
import { en, type Catalogue, type LabelKey } from './en.js';

export type { Catalogue, LabelKey } from './en.js';

/**
 * The languages microcred's pages, labels and certificates speak: English and Welsh.
 *
 * @example
 * ```ts
 * for (const lang of LANGS) console.log(label(lang, 'element.credits')); // Credits, Credydau
 * ```
 */
export const LANGS = ['en', 'cy'] as const;
export type Lang = (typeof LANGS)[number];

const CATALOGUES: Record<Lang, Catalogue> = { en, cy };

/** BCP 47 tag of each language as used for dates, numbers and document metadata. */
export const LOCALES: Record<Lang, string> = { en: 'en-GB', cy: 'cy-GB' };

/**
 * True when `value` is one of {@link LANGS}.
 *
 * @example
 * ```ts
 * isLang('cy'); // true
 * ```
 */
export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

function checkLang(lang: unknown): Lang {
  if (!isLang(lang)) {
    throw new MicrocredError('UNSUPPORTED', `lang must be one of ${LANGS.join(', ')}; found ${JSON.stringify(lang)}.`);
  }
  return lang;
}

/**
 * The whole label catalogue of a language.
 *
 * @example
 * ```ts
 * labels('cy')['element.learningOutcomes']; // 'Canlyniadau dysgu'
 * ```
 */
export function labels(lang: Lang): Catalogue {
  return CATALOGUES[checkLang(lang)];
}

/**
 * One label, with `{name}` placeholders filled in (a placeholder without a value stays as written).
 *
 * @example
 * ```ts
 * label('cy', 'value.credits.ects', { n: '10' }); // '10 credyd ECTS'
 * ```
 */
export function label(lang: Lang, key: LabelKey, params: Record<string, string | number> = {}): string {
  const text = labels(lang)[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * True when the catalogues have a label with this key (for vocabulary values such as achievement types).
 *
 * @example
 * ```ts
 * hasLabel(`achievementType.${view.achievementType}`); // true for 'MicroCredential'
 * ```
 */
export function hasLabel(key: string): key is LabelKey {
  return Object.hasOwn(en, key);
}

const dateFormats = new Map<Lang, Intl.DateTimeFormat>();

/**
 * A date as people write it in that language, in UTC (credentials give instants; the day of issue is the UTC day).
 * Returns the input unchanged when it is not a date.
 *
 * @example
 * ```ts
 * formatDate('2026-06-19T00:00:00Z', 'cy'); // '19 Mehefin 2026'
 * ```
 */
export function formatDate(value: string, lang: Lang): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  let format = dateFormats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[checkLang(lang)], { dateStyle: 'long', timeZone: 'UTC' });
    dateFormats.set(lang, format);
  }
  return format.format(time);
}

/**
 * A number in that language's notation (at most two decimals).
 *
 * @example
 * ```ts
 * formatNumber(7.5, 'en'); // '7.5'
 * ```
 */
export function formatNumber(value: number, lang: Lang): string {
  return value.toLocaleString(LOCALES[checkLang(lang)], { maximumFractionDigits: 2, useGrouping: false });
}

/**
 * The name of a language tag (`en-GB`, `cy`) in the given language; the tag itself when unknown.
 *
 * @example
 * ```ts
 * languageName('cy-GB', 'en'); // 'Welsh (United Kingdom)'
 * ```
 */
export function languageName(tag: string, lang: Lang): string {
  try {
    return new Intl.DisplayNames([LOCALES[checkLang(lang)]], { type: 'language', fallback: 'code' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/**
 * The best of {@link LANGS} for an HTTP `Accept-Language` header (weights honoured, `cy-GB` matches `cy`);
 * English when nothing matches.
 *
 * @example
 * ```ts
 * negotiateLang('cy-GB,cy;q=0.9,en;q=0.8'); // 'cy'
 * ```
 */
export function negotiateLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked.map((r) => r.primary).find(isLang) ?? 'en';
}
