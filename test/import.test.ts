// CSV import: the mapping format and its errors, the CSV dialect of SIS exports and spreadsheets (line numbers,
// BOM, CRLF, quoted newlines, sep=, trailing empty columns, ="0123"), NDJSON, the offline dry run and the report.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MicrocredError } from '../src/errors.js';
import { checkRows } from '../src/import/check.js';
import { readCsvRows } from '../src/import/csv.js';
import { compileDateFormat, parseDate, type DateFormat } from '../src/import/dates.js';
import { compileMapping, type MappingDocument } from '../src/import/mapping.js';
import { readNdjsonRows } from '../src/import/ndjson.js';
import { reportCsv, reportNdjson } from '../src/import/report.js';
import type { ImportRow, ReportRow } from '../src/import/types.js';
import type { CatalogueCourse } from '../src/record/catalogue.js';
import type { Course } from '../src/record/types.js';
import { recordMinimal } from './bulk-helpers.js';

const example = (name: string): string => new URL(`../examples/${name}`, import.meta.url).pathname;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function fails(p: Promise<unknown>): Promise<MicrocredError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MicrocredError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

function mappingError(doc: unknown): MicrocredError {
  try {
    compileMapping(doc);
  } catch (e) {
    if (e instanceof MicrocredError) return e;
    throw e;
  }
  throw new Error('expected MAPPING_INVALID');
}

const simple: MappingDocument = {
  fields: {
    recordId: { template: '{ID}-{CODE}' },
    'learner.fullName': { column: 'NAME' },
    'course.code': { column: 'CODE' },
    'result.completionDate': { column: 'DATE', type: 'date', dateFormat: 'dd/mm/yyyy' },
    'result.mark': { column: 'MARK', type: 'number' },
  },
};
const rowsOf = (csv: string | Uint8Array, doc: MappingDocument = simple): Promise<ImportRow[]> => collect(readCsvRows([csv], compileMapping(doc)));

describe('dates (strict)', () => {
  const f = (s: string): DateFormat => compileDateFormat(s) as DateFormat;
  it('reads UK, ISO, US, SITS month names, and ignores a time after the date', () => {
    expect(parseDate('19/06/2026', f('dd/mm/yyyy'))).toEqual({ ok: true, date: '2026-06-19' });
    expect(parseDate('9/6/2026', f('d/m/yyyy'))).toEqual({ ok: true, date: '2026-06-09' });
    expect(parseDate('2026-06-19', f('yyyy-mm-dd'))).toEqual({ ok: true, date: '2026-06-19' });
    expect(parseDate('06/19/2026', f('mm/dd/yyyy'))).toEqual({ ok: true, date: '2026-06-19' });
    expect(parseDate('19-JUN-2026', f('dd-mon-yyyy'))).toEqual({ ok: true, date: '2026-06-19' });
    expect(parseDate('19/06/2026 00:00', f('dd/mm/yyyy'))).toEqual({ ok: true, date: '2026-06-19' });
    expect(parseDate('29/02/2028', f('dd/mm/yyyy'))).toEqual({ ok: true, date: '2028-02-29' });
  });
  it('31/02/2026 and 29/02/2027 are not dates; other forms are not the format', () => {
    expect(parseDate('31/02/2026', f('dd/mm/yyyy'))).toEqual({ ok: false, reason: 'date' });
    expect(parseDate('29/02/2027', f('dd/mm/yyyy'))).toEqual({ ok: false, reason: 'date' });
    expect(parseDate('13/13/2026', f('dd/mm/yyyy'))).toEqual({ ok: false, reason: 'date' });
    expect(parseDate('2026-06-19', f('dd/mm/yyyy'))).toEqual({ ok: false, reason: 'form' });
    expect(parseDate('9/6/2026', f('dd/mm/yyyy'))).toEqual({ ok: false, reason: 'form' });
    expect(parseDate('19-JUX-2026', f('dd-mon-yyyy'))).toEqual({ ok: false, reason: 'form' });
  });
  it('refuses formats that are not formats', () => {
    expect(typeof compileDateFormat('dd/dd/yyyy')).toBe('string');
    expect(typeof compileDateFormat('dd/mm/yy')).toBe('string');
    expect(typeof compileDateFormat('dd/mm/yyyy hh')).toBe('string');
  });
});

describe('mapping documents', () => {
  it('the mapping shown in the README is valid', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## CSV import'));
    const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    expect(compileMapping(JSON.parse(block as string)).fields.map((f) => f.name)).toContain('result.completionDate');
  });

  it('the example SIS mapping is valid', () => {
    const m = compileMapping(JSON.parse(readFileSync(example('sits-mapping.json'), 'utf8')));
    expect(m.columns).toContain('SMR_CONF_DATE');
  });

  it('schema problems (strict JSON Schema): unknown members, no source, two sources, recordId missing', () => {
    const e = mappingError({ fields: { 'learner.fullName': { column: 'A', value: 'x' }, 'result.mark': { type: 'number' } }, extra: 1 });
    expect(e.code).toBe('MAPPING_INVALID');
    const paths = (e.details as { path: string }[]).map((p) => p.path);
    expect(paths).toContain('$.extra');
    expect(paths).toContain('$.fields.recordId');
    expect(paths).toContain('$.fields["learner.fullName"]');
    expect(paths).toContain('$.fields["result.mark"]');
  });

  it('code checks: record paths, fields inside fields, date formats, templates, map with type', () => {
    const e = mappingError({
      dateFormat: 'dd/mm/dd',
      fields: {
        recordId: { template: '{ID} }' },
        'learner.nickname': { column: 'NICK' },
        'result.grade': { column: 'G', map: { A: { kind: 'letter', value: 'A' } }, type: 'string' },
        'result.grade.value': { column: 'G2' },
        'result.completionDate': { column: 'D', dateFormat: 'yyyy/mm' },
        'course.version': { column: 'V', type: 'integer' },
      },
    });
    const byPath = new Map((e.details as { path: string; message: string }[]).map((p) => [p.path, p.message]));
    expect([...byPath.keys()].sort()).toEqual(
      ['$.dateFormat', '$.fields.recordId.template', '$.fields["learner.nickname"]', '$.fields["result.grade"].type', '$.fields["result.grade.value"]', '$.fields["result.completionDate"].dateFormat'].sort(),
    );
    expect(byPath.get('$.fields["learner.nickname"]')).toMatch(/a field of the completion record/);
    expect(byPath.get('$.fields["result.grade.value"]')).toMatch(/"result.grade" is mapped as a whole/);
    expect(e.message).toMatch(/^The column mapping has 6 problems:\n- /);
  });
});

describe('CSV reading', () => {
  const header = 'ID,NAME,CODE,DATE,MARK';
  it('maps rows, reports their start lines with quoted newlines, CRLF and a BOM', async () => {
    const csv = `\ufeff${header}\r\n1,"Ada\r\nLovelace",C1,19/06/2026,64\r\n2,Bob,C1,20/06/2026,\r\n`;
    const rows = await rowsOf(csv);
    expect(rows.map((r) => [r.row, r.line])).toEqual([[1, 2], [2, 4]]);
    expect(rows[0]?.record).toEqual({ recordId: '1-C1', learner: { fullName: 'Ada\r\nLovelace' }, course: { code: 'C1' }, result: { completionDate: '2026-06-19', mark: 64 } });
    // an empty cell leaves the field out
    expect(rows[1]?.record?.result).toEqual({ completionDate: '2026-06-20' });
  });

  it('LF files, blank lines and rows of empty cells are skipped but counted as lines', async () => {
    const rows = await rowsOf(`${header}\n\n1,Ada,C1,19/06/2026,1\n,,,,\n\n"2","B\nob",C1,19/06/2026,2\n3,Cy,C1,19/06/2026,3`);
    expect(rows.map((r) => [r.row, r.line, r.record?.recordId])).toEqual([[1, 3, '1-C1'], [2, 6, '2-C1'], [3, 8, '3-C1']]);
  });

  it("Excel's quirks: sep= line, trailing empty columns, =\"0123\" text forcing, cells trimmed", async () => {
    const csv = `sep=;\r\n${header.replaceAll(',', ';')};;\r\n="0123"; Ada ;C1;19/06/2026;64;;\r\n"=""0099""";Bob;C1;19/06/2026;;;\r\n`;
    const rows = await rowsOf(csv);
    expect(rows.map((r) => [r.line, r.record?.recordId, (r.record?.learner as { fullName: string }).fullName])).toEqual([[3, '0123-C1', 'Ada'], [4, '0099-C1', 'Bob']]);
    expect(rows.every((r) => r.problems.length === 0)).toBe(true);
  });

  it('a value past the header columns and a bad date are problems of the row, with line and column', async () => {
    const rows = await rowsOf(`${header}\r\n1,Ada,C1,31/02/2026,64,surprise\r\n2,Bob,C1,2026-06-19,sixty\r\n`);
    expect(rows[0]?.line).toBe(2);
    expect(rows[0]?.problems.map((p) => p.message)).toEqual([
      '$: expected at most 5 cells (the header has 5 columns), found 6 cells, with a value in cell 6',
      '$.result.completionDate (column DATE): expected a date written dd/mm/yyyy, found "31/02/2026", which is not a date',
    ]);
    expect(rows[1]?.problems.map((p) => [p.column, p.path])).toEqual([
      ['DATE', '$.result.completionDate'],
      ['MARK', '$.result.mark'],
    ]);
  });

  it('value maps (to objects), ignoreCase, defaults, required cells and templates with an empty cell', async () => {
    const doc: MappingDocument = {
      fields: {
        recordId: { template: '{ID}-{{x}}' },
        'learner.fullName': { template: '{FIRST} {LAST}' },
        'course.code': { column: 'CODE', required: true },
        'course.participation': { column: 'MODE', ignoreCase: true, map: { ONL: { mode: 'online', synchronous: false } } },
        'result.grade': { column: 'G', map: { P: { kind: 'pass-fail', value: 'pass' } }, default: { kind: 'pass-fail', value: 'pass' } },
        'result.completionDate': { value: '2026-06-19' },
      },
    };
    const rows = await rowsOf('ID,FIRST,LAST,CODE,MODE,G\n1,Ada,Lovelace,C1,onl,\n2,,Smith,,XYZ,Q\n', doc);
    expect(rows[0]?.problems).toEqual([]);
    expect(rows[0]?.record).toEqual({
      recordId: '1-{x}',
      learner: { fullName: 'Ada Lovelace' },
      course: { code: 'C1', participation: { mode: 'online', synchronous: false } },
      result: { grade: { kind: 'pass-fail', value: 'pass' }, completionDate: '2026-06-19' },
    });
    expect(rows[1]?.problems.map((p) => [p.path, p.column])).toEqual([
      ['$.learner.fullName', 'FIRST'],
      ['$.course.code', 'CODE'],
      ['$.course.participation', 'MODE'],
      ['$.result.grade', 'G'],
    ]);
    expect(rows[1]?.problems[2]?.message).toBe('$.course.participation (column MODE): expected one of the codes the mapping knows: "onl", found "XYZ"');
  });

  it('a header without a mapped column, a duplicated mapped column, an unclosed quote, non-UTF-8 text, no header: the file is refused with its line', async () => {
    const missing = await fails(rowsOf('ID,NAME,CODE,MARK\n1,Ada,C1,2\n'));
    expect(missing.code).toBe('INPUT_INVALID');
    expect(missing.message).toMatch(/^The header \(line 1\) has no column "DATE", which the mapping reads for result\.completionDate\. The header's columns are: "ID", "NAME", "CODE", "MARK"\.$/);
    const dup = await fails(rowsOf('ID,NAME,CODE,DATE,DATE,MARK\n'));
    expect(dup.message).toMatch(/"DATE" 2 times/);
    const quote = await fails(rowsOf(`${header}\n1,Ada,C1,19/06/2026,1\n2,"Bob,C1,19/06/2026,1\n3,Cy,C1,19/06/2026,3\n`));
    expect(quote.code).toBe('INPUT_INVALID');
    expect(quote.message).toMatch(/^Line 3 cannot be read as CSV: a quoted cell starts here/);
    const latin1 = Buffer.concat([Buffer.from(`${header}\n1,Ada,C1,19/06/2026,1\n2,Sia`), Buffer.from([0xe2, 0x6e]), Buffer.from(',C1,19/06/2026,1\n')]);
    const enc = await fails(rowsOf(latin1));
    expect(enc.code).toBe('INPUT_INVALID');
    expect(enc.message).toMatch(/^Line 3 is not UTF-8 text/);
    expect((await fails(rowsOf(''))).message).toMatch(/no header/);
  });

  it('limits: bytes and rows', async () => {
    const mapping = compileMapping(simple);
    const big = `${header}\n` + Array.from({ length: 50 }, (_, i) => `${i},N,C1,19/06/2026,1`).join('\n');
    expect((await fails(collect(readCsvRows([big], mapping, { maxBytes: 100 })))).code).toBe('INPUT_TOO_LARGE');
    const e = await fails(collect(readCsvRows([big], mapping, { maxRows: 10 })));
    expect(e.code).toBe('INPUT_TOO_LARGE');
    expect(e.message).toMatch(/line 12/);
  });

  it('the same rows whatever the chunking, also with multi-byte characters split between chunks', async () => {
    const text = `\ufeff${header}\r\n1,"Siân ""Wiśniewski""\r\nJr",C1,19/06/2026,64\r\n2,Zoë,C1,20/06/2026,70\r\n`;
    const bytes = Buffer.from(text, 'utf8');
    const whole = await collect(readCsvRows([bytes], compileMapping(simple)));
    const bytewise = await collect(readCsvRows(Array.from(bytes, (b) => Uint8Array.of(b)), compileMapping(simple)));
    expect(bytewise).toEqual(whole);
    expect((whole[0]?.record?.learner as { fullName: string }).fullName).toBe('Siân "Wiśniewski"\r\nJr');
    expect(whole.map((r) => r.line)).toEqual([2, 4]);
  });

  it('streams: the first rows arrive before the source ends', async () => {
    let produced = 0;
    async function* source(): AsyncGenerator<string> {
      yield `${header}\n`;
      for (let i = 0; i < 20000; i++) {
        produced++;
        yield `${i},N,C1,19/06/2026,1\n`;
      }
    }
    const it = readCsvRows(source(), compileMapping(simple));
    const first = await it.next();
    expect(first.value?.row).toBe(1);
    expect(produced).toBeLessThan(20000);
    await it.return(undefined);
  });
});

describe('NDJSON reading', () => {
  it('one record per line, blank lines skipped, malformed lines are rejected rows with their line', async () => {
    const rows = await collect(readNdjsonRows([`{"recordId":"a"}\r\n\n[1]\n{bad\n{"recordId":"b"}`]));
    expect(rows.map((r) => [r.row, r.line, r.record?.recordId, r.problems.length])).toEqual([
      [1, 1, 'a', 0],
      [2, 3, undefined, 1],
      [3, 4, undefined, 1],
      [4, 5, 'b', 0],
    ]);
    expect(rows[2]?.problems[0]?.message).toMatch(/^\$: expected one JSON object \(a completion record\) per line, found text that is not JSON/);
  });
});

describe('dry run of the example SIS export (no database)', () => {
  it('validates every row against the example catalogue; problems name line and column; nothing is issued', async () => {
    const courses: CatalogueCourse[] = ['PHM7021', 'CYB4010'].map((code) => ({
      code,
      version: 1,
      course: { ...(JSON.parse(readFileSync(example(`catalogue/${code}.json`), 'utf8')) as Course), code },
    }));
    const mapping = compileMapping(JSON.parse(readFileSync(example('sits-mapping.json'), 'utf8')));
    const report = await collect(checkRows(readCsvRows([readFileSync(example('sits-export.csv'))], mapping), { mapping, courses }));
    expect(report.map((r) => [r.row, r.line, r.recordId, r.outcome])).toEqual([
      [1, 2, '02310457-PHM7021-2025/6-A', 'would-issue'],
      [2, 3, '02310458-PHM7021-2025/6-A', 'would-issue'],
      [3, 4, '02310459-PHM7021-2025/6-A', 'rejected'],
      [4, 5, '02310460-CYB4010-2025/6-B', 'would-issue'],
      [5, 6, '02310461-CYB4010-2025/6-B', 'rejected'],
      [6, 7, '02310462-CYB4010-2025/6-B', 'would-issue'],
    ]);
    expect(report[2]?.problems?.map((p) => p.column)).toEqual(['SMR_AGRG']);
    expect(report[4]?.problems?.map((p) => p.message)).toEqual([
      '$.result.completionDate (column SMR_CONF_DATE): expected a date written dd/mm/yyyy, found "31/02/2026", which is not a date',
    ]);
  });

  it('validation problems of a mapped record name the columns; a field the mapping already reported is not reported twice', async () => {
    const mapping = compileMapping(simple);
    const rows = await collect(readCsvRows(['ID,NAME,CODE,DATE,MARK\n1,,C1,19/13/2026,101\n'], mapping));
    const [r] = await collect(checkRows(rows, { mapping }));
    const messages = r?.problems?.map((p) => p.message) ?? [];
    expect(messages.filter((m) => m.includes('completionDate'))).toEqual(['$.result.completionDate (column DATE): expected a date written dd/mm/yyyy, found "19/13/2026", which is not a date']);
    // the only learner column is empty, so the whole learner is missing: named with its column
    expect(messages).toContain('$.learner (column NAME): expected a value (this field is required), found nothing');
    expect(messages).toContain('$.result.mark (column MARK): expected a mark in percent from 0 to 100, found 101');
    expect(messages.some((m) => m.startsWith('$.course.title: expected a value'))).toBe(true);
  });

  it('full records in NDJSON are checked as they are', async () => {
    const good = JSON.stringify(recordMinimal);
    const bad = JSON.stringify({ ...recordMinimal, recordId: '' });
    const report = await collect(checkRows(readNdjsonRows([`${good}\n${bad}\n`])));
    expect(report.map((r) => r.outcome)).toEqual(['would-issue', 'rejected']);
  });
});

describe('report writers', () => {
  const rows: ReportRow[] = [
    { row: 1, line: 2, recordId: 'R-1', outcome: 'issued', credentialId: 'urn:uuid:1', url: 'https://c.test/credentials/urn:uuid:1' },
    { row: 2, line: 3, recordId: '=HYPERLINK("x")', outcome: 'rejected', problems: [{ path: '$.a', expected: 'x', found: 'y', message: 'first, "quoted"' }, { path: '$.b', expected: 'x', found: 'y', message: 'second\nline' }] },
  ];
  it('CSV: BOM, header, RFC 4180 quoting, formulas neutralised, problems in one cell', async () => {
    const text = (await collect(reportCsv(rows))).join('');
    expect(text).toBe(
      '\ufeffrow,line,recordId,outcome,credentialId,url,problems\r\n' +
        '1,2,R-1,issued,urn:uuid:1,https://c.test/credentials/urn:uuid:1,\r\n' +
        `2,3,"'=HYPERLINK(""x"")",rejected,,,"first, ""quoted"" | second\nline"\r\n`,
    );
  });
  it('NDJSON: one object per line', async () => {
    const lines = (await collect(reportNdjson(rows))).join('').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as ReportRow)).toEqual(rows);
  });
});
