/**
 * The CSV column mapping: which column (or template of columns, or constant) fills which completion record field,
 * with value maps for codes and date formats. The document is checked against `src/schemas/csv-mapping.schema.json`
 * (JSON Schema 2019-09, Ajv in strict mode) and then in code: every record path must exist in the completion record
 * schema, no field may sit inside another, date formats must be formats.
 */
import { MicrocredError } from '../errors.js';
import { problem, problemsFromAjv, type RecordProblem } from '../record/problems.js';
import { createAjv, lazyValidator, readSchema } from '../lib/ajv.js';
import { compileDateFormat, type DateFormat } from './dates.js';

export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'date';

/** The mapping document as written (see the JSON Schema for the meaning of each member). */
export interface MappingDocument {
  description?: string;
  csv?: { delimiter?: ',' | ';' | '\t' | '|'; skipLines?: number };
  dateFormat?: string;
  fields: Record<string, FieldSpec>;
}

export interface FieldSpec {
  column?: string;
  template?: string;
  value?: unknown;
  type?: FieldType;
  dateFormat?: string;
  map?: Record<string, unknown>;
  ignoreCase?: boolean;
  default?: unknown;
  required?: boolean;
}

export type TemplatePart = { text: string } | { column: string };

/** One field of a checked mapping. */
export interface MappedField {
  /** The record path as written in the mapping (`result.grade.value`). */
  name: string;
  /** The same path as a JSON path (`$.result.grade.value`), as record problems name it. */
  path: string;
  segments: (string | number)[];
  source: { column: string } | { template: TemplatePart[] } | { value: unknown };
  type: FieldType;
  dateFormat?: DateFormat;
  map?: Map<string, unknown>;
  ignoreCase: boolean;
  default?: unknown;
  hasDefault: boolean;
  required: boolean;
  /** The columns the field reads. */
  columns: string[];
}

/** A mapping checked and ready to apply. */
export interface CsvMapping {
  document: MappingDocument;
  delimiter: string;
  skipLines: number;
  fields: MappedField[];
  /** Every column the mapping reads, in first-use order. */
  columns: string[];
}

const mappingValidator = lazyValidator(() => {
  const ajv = createAjv({ strict: true });
  return ajv.compile(readSchema('csv-mapping.schema.json'));
});

type SchemaNode = Record<string, unknown>;
let recordSchemaCache: SchemaNode | undefined;
function recordSchemaRoot(): SchemaNode {
  return (recordSchemaCache ??= readSchema('completion-record.schema.json'));
}

function mappingError(problems: RecordProblem[]): MicrocredError {
  return new MicrocredError(
    'MAPPING_INVALID',
    `The column mapping has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` + problems.map((p) => `- ${p.message}`).join('\n'),
    problems,
  );
}

/** The child schema of a property, looking into allOf/if/then branches (grade and stackability use them). */
function childSchema(node: SchemaNode, name: string): SchemaNode | undefined {
  const props = node['properties'] as Record<string, SchemaNode> | undefined;
  const direct = props?.[name];
  if (direct && typeof direct === 'object' && Object.keys(direct).length > 0) return direct;
  for (const branch of (node['allOf'] as SchemaNode[] | undefined) ?? []) {
    const then = branch['then'] as SchemaNode | undefined;
    const found = then ? childSchema(then, name) : undefined;
    if (found) return found;
  }
  return direct && typeof direct === 'object' ? direct : undefined;
}

function parsePath(name: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of name.matchAll(/([A-Za-z][A-Za-z0-9]*)|\[([0-9]+)\]/g)) out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return out;
}

function jsonPathOf(segments: (string | number)[]): string {
  return '$' + segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}

/** Whether `segments` names a field of the completion record schema. */
function recordPathExists(segments: (string | number)[]): boolean {
  let node: SchemaNode | undefined = recordSchemaRoot();
  for (const s of segments) {
    if (!node) return false;
    node = typeof s === 'number' ? (node['items'] as SchemaNode | undefined) : childSchema(node, s);
  }
  return node !== undefined;
}

function parseTemplate(template: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) return 'has a "{" without its "}" (write {{ for a literal brace)';
      const column = template.slice(i + 1, end);
      if (column === '' || column.includes('{')) return 'has an empty or nested {placeholder}';
      if (text) parts.push({ text });
      text = '';
      parts.push({ column });
      i = end;
    } else if (c === '}') {
      return 'has a "}" without its "{" (write }} for a literal brace)';
    } else text += c;
  }
  if (text) parts.push({ text });
  return parts;
}

/**
 * Checks a mapping document and prepares it. Throws `MicrocredError('MAPPING_INVALID')` whose `details` lists every
 * problem with its JSON path in the mapping (`$.fields["result.completionDate"].dateFormat`).
 *
 * @example
 * ```ts
 * const mapping = compileMapping(JSON.parse(await readFile('examples/sits-mapping.json', 'utf8')));
 * mapping.columns; // ['STU_CODE', 'MOD_CODE', ...]
 * ```
 */
export function compileMapping(input: unknown): CsvMapping {
  const validate = mappingValidator();
  if (!validate(input)) throw mappingError(problemsFromAjv(validate.errors));
  const doc = input as MappingDocument;
  const problems: RecordProblem[] = [];
  // Written as the schema problems write paths: `$.fields.recordId`, `$.fields["result.mark"]`.
  const at = (name: string, member?: string): string =>
    `$.fields${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}${member ? `.${member}` : ''}`;
  let defaultFormat: DateFormat | undefined;
  if (doc.dateFormat !== undefined) {
    const f = compileDateFormat(doc.dateFormat);
    if (typeof f === 'string') problems.push(problem('$.dateFormat', `a date format that ${f.replace(/^needs/, 'has')}`, JSON.stringify(doc.dateFormat)));
    else defaultFormat = f;
  }
  const fields: MappedField[] = [];
  const columns: string[] = [];
  const names = Object.keys(doc.fields);
  for (const name of names) {
    const spec = doc.fields[name] as FieldSpec;
    const segments = parsePath(name);
    if (!recordPathExists(segments)) {
      problems.push(problem(at(name), 'a field of the completion record (see the completion record schema)', JSON.stringify(name)));
      continue;
    }
    const inside = names.find((other) => other !== name && (name.startsWith(`${other}.`) || name.startsWith(`${other}[`)));
    if (inside !== undefined) {
      problems.push(problem(at(name), `a field that is not part of another mapped field (${JSON.stringify(inside)} is mapped as a whole)`, JSON.stringify(name)));
      continue;
    }
    let source: MappedField['source'];
    const used: string[] = [];
    if (spec.column !== undefined) {
      source = { column: spec.column };
      used.push(spec.column);
    } else if (spec.template !== undefined) {
      const parts = parseTemplate(spec.template);
      if (typeof parts === 'string') {
        problems.push(problem(at(name, 'template'), 'a template of {COLUMN} placeholders', `a template that ${parts}`));
        continue;
      }
      source = { template: parts };
      for (const p of parts) if ('column' in p) used.push(p.column);
    } else {
      source = { value: spec.value };
    }
    const type = spec.type ?? (spec.dateFormat !== undefined ? 'date' : 'string');
    let dateFormat: DateFormat | undefined;
    if (spec.dateFormat !== undefined) {
      const f = compileDateFormat(spec.dateFormat);
      if (typeof f === 'string') {
        problems.push(problem(at(name, 'dateFormat'), `a date format that ${f.replace(/^needs/, 'has')}`, JSON.stringify(spec.dateFormat)));
        continue;
      }
      dateFormat = f;
    }
    if (type === 'date') {
      dateFormat ??= defaultFormat ?? (compileDateFormat('yyyy-mm-dd') as DateFormat);
    } else if (spec.dateFormat !== undefined) {
      problems.push(problem(at(name, 'dateFormat'), 'no dateFormat, or type "date"', `type ${JSON.stringify(type)}`));
    }
    if (spec.map !== undefined && spec.type !== undefined) {
      problems.push(problem(at(name, 'type'), 'no type with a map (the map gives the values themselves)', JSON.stringify(spec.type)));
    }
    if ('value' in source && (spec.map !== undefined || spec.default !== undefined || spec.required !== undefined)) {
      problems.push(problem(at(name), 'a constant value without map, default or required', 'a value with one of them'));
    }
    let map: Map<string, unknown> | undefined;
    if (spec.map !== undefined) {
      map = new Map();
      for (const [code, value] of Object.entries(spec.map)) {
        const key = spec.ignoreCase ? code.trim().toLowerCase() : code.trim();
        if (map.has(key)) problems.push(problem(at(name, 'map'), 'codes that differ (after trimming and, with ignoreCase, ignoring case)', `${JSON.stringify(code)} twice`));
        map.set(key, value);
      }
    }
    for (const c of used) if (!columns.includes(c)) columns.push(c);
    fields.push({
      name,
      path: jsonPathOf(segments),
      segments,
      source,
      type,
      ...(dateFormat ? { dateFormat } : {}),
      ...(map ? { map } : {}),
      ignoreCase: spec.ignoreCase === true,
      ...(spec.default !== undefined ? { default: spec.default } : {}),
      hasDefault: spec.default !== undefined,
      required: spec.required === true,
      columns: used,
    });
  }
  if (problems.length > 0) throw mappingError(problems);
  return { document: doc, delimiter: doc.csv?.delimiter ?? ',', skipLines: doc.csv?.skipLines ?? 0, fields, columns };
}

/**
 * The columns that fill a record path, for naming them in a record problem: those of the mapped field at, above or
 * inside `path`.
 *
 * @example
 * ```ts
 * columnsFor(mapping, '$.result.grade.value'); // ['GRADE']
 * ```
 */
export function columnsFor(mapping: CsvMapping, path: string): string[] {
  const out: string[] = [];
  for (const f of mapping.fields) {
    const related = path === f.path || path.startsWith(`${f.path}.`) || path.startsWith(`${f.path}[`) || f.path.startsWith(`${path}.`) || f.path.startsWith(`${path}[`);
    if (related) for (const c of f.columns) if (!out.includes(c)) out.push(c);
  }
  return out;
}
