/**
 * The one strict reading of timestamps that callers hand to the store (query filters, paging cursors): ISO 8601 /
 * RFC 3339 dates and date-times whose every field exists in the calendar. `Date.parse('2026-02-30')` gives 2 March
 * and PostgreSQL refuses it, so a lenient check let such input reach the database as an error.
 */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The timestamp `text` as PostgreSQL reads it unambiguously (explicit offset, `Z` when none was given: a date or a
 * date-time without offset is UTC), or undefined when it is not an ISO 8601 date or date-time of a real day and time
 * between years 1 and 9999. Keeps the given fraction (up to nanoseconds; the database keeps microseconds).
 *
 * @example
 * ```ts
 * parseTimestamp('2026-06-19');                  // '2026-06-19T00:00:00Z'
 * parseTimestamp('2026-06-19T10:30:00.25+01:00'); // '2026-06-19T10:30:00.25+01:00'
 * parseTimestamp('2026-02-30');                  // undefined
 * ```
 */
export function parseTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac, zone] = m as unknown as (string | undefined)[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offset = 'Z';
  if (zone && zone.toUpperCase() !== 'Z') {
    const oh = zone.slice(1, 3);
    const om = zone.slice(3).replace(':', '') || '00';
    if (Number(oh) > 15 || Number(om) > 59) return undefined;
    offset = `${zone[0]}${oh}:${om}`;
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${frac !== undefined ? `.${frac}` : ''}${offset}`;
}
