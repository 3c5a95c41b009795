/**
 * Value tests shared by the data model rules (internal): URLs, XML Schema date-times, language tags, JSON paths.
 */

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const WHITESPACE = /\s/;
const SPECIAL = /^(https?|wss?|ftp|file):/i;
const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * True for an absolute URL as the data model uses the word: a scheme, then the rest, parseable by the WHATWG URL
 * parser, with no whitespace anywhere (the W3C test suite's "https ://not-a-url" must fail). Covers https:, urn:,
 * did: and data: URLs alike.
 */
export function isUrl(value: unknown): value is string {
  if (typeof value !== 'string' || !SCHEME.test(value) || WHITESPACE.test(value)) return false;
  // Without an authority (`//host`), the WHATWG parser refuses nothing without whitespace in a non-special scheme
  // (urn:, did:, data:, …): the tests above decide. Hosts and ports (https:, or foo://host) need the parser.
  if (!SPECIAL.test(value) && !AUTHORITY.test(value)) return true;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

// The dateTimeStamp expression VC DM 2.0 §5.8 reproduces from XML Schema 1.1 Part 2, anchored. The time zone is
// required; in a 1.1 `dateTime` it is optional.
const DATE = '-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])';
const TIME = 'T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?|(24:00:00(\\.0+)?))';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const DATE_TIME_STAMP = new RegExp(`^${DATE}${TIME}${ZONE}$`);
const DATE_TIME = new RegExp(`^${DATE}${TIME}${ZONE}?$`);

/** An XML Schema `dateTimeStamp` (time zone required) that is also a real moment (no 30 February). */
export function isDateTimeStamp(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME_STAMP.test(value) && instant(value) !== undefined;
}

/** An XML Schema `dateTime` (time zone optional), as VC 1.1 `issuanceDate` and `expirationDate` use. */
export function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME.test(value) && instant(value) !== undefined;
}

/**
 * Milliseconds since the epoch of a date-time string; a value without a time zone is read as UTC (VC DM 2.0 §5.8:
 * "Time values that are incorrectly serialized without an offset MUST be interpreted as UTC").
 */
export function instant(value: string): number | undefined {
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2023-02-30 over to 2 March: compare the calendar date back (ignoring 24:00:00).
  const [y, m, d] = value.replace(/^-/, '').split(/[-T]/, 3).map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= daysInMonth ? ms : undefined;
}

// BCP 47 well-formedness, simplified: a 2-3 letter (or 4-8 letter registered) primary language subtag, then
// subtags of 1-8 letters or digits; or a private-use tag (x-…).
const LANGUAGE_TAG = /^(([A-Za-z]{2,3}|[A-Za-z]{4,8})(-[A-Za-z0-9]{1,8})*|[xX](-[A-Za-z0-9]{1,8})+)$/;

export function isLanguageTag(value: unknown): boolean {
  return typeof value === 'string' && LANGUAGE_TAG.test(value);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `$.a.b[0]` style path: `at('$', 'credentialStatus')`, `at('$.x', 0)`. Keys that are not identifiers are quoted. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  let suffix = SUFFIXES.get(key);
  if (suffix === undefined) {
    suffix = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    if (SUFFIXES.size < 10_000) SUFFIXES.set(key, suffix);
  }
  return path + suffix;
}
/** Path suffixes by key (credentials repeat the same few hundred keys). */
const SUFFIXES = new Map<string, string>();

/** How a found value reads in a message: text quoted (long text cut), objects and lists by kind. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return String(value);
}

/** The items of a property that may hold one value or a list. */
export function items(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
