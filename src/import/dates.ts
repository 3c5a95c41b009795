/**
 * Date formats of student record system exports, strict: "31/02/2026" is not a date in any format.
 *
 * A format is made of the tokens `yyyy` (4-digit year), `mm` / `m` (month, 2 digits / 1–2 digits), `mon` (English
 * month abbreviation, any case: Jan, FEB...), `dd` / `d` (day), and the separators `/`, `-`, `.` and space: for
 * example `dd/mm/yyyy` (UK), `d/m/yyyy`, `mm/dd/yyyy` (US), `yyyy-mm-dd` (ISO 8601), `dd-mon-yyyy` (SITS, Oracle).
 * A time after the date (`12/06/2026 00:00`, as spreadsheets write it) is accepted and ignored.
 */

export interface DateFormat {
  /** The format as written in the mapping. */
  text: string;
  regex: RegExp;
  order: ('y' | 'm' | 'd')[];
  monthNames: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TOKENS = /yyyy|mon|mm|dd|m|d|[/. -]/g;

/**
 * Compiles a date format, or returns why it cannot be one.
 *
 * @example
 * ```ts
 * const uk = compileDateFormat('dd/mm/yyyy'); // DateFormat
 * compileDateFormat('dd/dd/yyyy'); // 'needs exactly one day (dd or d), one month (mm, m or mon) and one year (yyyy)'
 * ```
 */
export function compileDateFormat(text: string): DateFormat | string {
  const tokens = text.match(TOKENS) ?? [];
  if (tokens.join('') !== text) return 'uses only yyyy, mm, m, mon, dd, d and the separators / - . and space';
  const order: ('y' | 'm' | 'd')[] = [];
  let source = '^';
  let monthNames = false;
  for (const t of tokens) {
    switch (t) {
      case 'yyyy':
        order.push('y');
        source += '(\\d{4})';
        break;
      case 'mm':
      case 'dd':
        order.push(t[0] as 'm' | 'd');
        source += '(\\d{2})';
        break;
      case 'm':
      case 'd':
        order.push(t as 'm' | 'd');
        source += '(\\d{1,2})';
        break;
      case 'mon':
        order.push('m');
        monthNames = true;
        source += '([A-Za-z]{3})';
        break;
      default:
        source += t === ' ' ? ' ' : `\\${t}`;
    }
  }
  const count = (k: string): number => order.filter((o) => o === k).length;
  if (count('y') !== 1 || count('m') !== 1 || count('d') !== 1) {
    return 'needs exactly one day (dd or d), one month (mm, m or mon) and one year (yyyy)';
  }
  // A time of day after the date, as spreadsheets add it, is ignored.
  source += '(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)?$';
  return { text, regex: new RegExp(source), order, monthNames };
}

/**
 * Reads a date in `format` and returns it as `YYYY-MM-DD`, or why it is not one (`form`: it does not look like the
 * format; `date`: no such day, e.g. 31/02/2026).
 *
 * @example
 * ```ts
 * parseDate('19/06/2026', compileDateFormat('dd/mm/yyyy') as DateFormat); // { ok: true, date: '2026-06-19' }
 * parseDate('31/02/2026', uk); // { ok: false, reason: 'date' }
 * ```
 */
export function parseDate(value: string, format: DateFormat): { ok: true; date: string } | { ok: false; reason: 'form' | 'date' } {
  const m = format.regex.exec(value);
  if (!m) return { ok: false, reason: 'form' };
  let year = 0;
  let month = 0;
  let day = 0;
  format.order.forEach((k, i) => {
    const part = m[i + 1] as string;
    if (k === 'y') year = Number(part);
    else if (k === 'd') day = Number(part);
    else month = format.monthNames ? MONTHS.indexOf(part.toLowerCase()) + 1 : Number(part);
  });
  if (format.monthNames && month === 0) return { ok: false, reason: 'form' };
  if (month < 1 || month > 12 || day < 1) return { ok: false, reason: 'date' };
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > days || year < 1) return { ok: false, reason: 'date' };
  return { ok: true, date: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}
