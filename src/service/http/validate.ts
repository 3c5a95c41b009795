/**
 * Compiling the declared schemas into checks, once per schema and process: ajv (JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1) decides whether a value is accepted; the declaration words the problem.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { badParam, checkText } from '../params.js';
import type { ParamSource } from '../params.js';
import { problems } from '../problem.js';
import type { HttpProblem } from '../problem.js';
import { REFUSED } from './declare.js';
import type { Field, JsonSchema, Param } from './declare.js';

// ajv is CommonJS with `exports.default` (see src/schema/ajv.ts).
type Ajv2020Class = typeof Ajv2020Module.default;
const Ajv2020: Ajv2020Class = (Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? (Ajv2020Module as unknown as Ajv2020Class);

/** Strict about the schemas themselves (an unknown keyword is a mistake in a declaration), first error only. */
const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: false });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * The compiled validator of a schema (compiled the first time, then shared).
 *
 * @example
 * ```ts
 * compileSchema({ type: 'integer', minimum: 1 })(5); // true
 * ```
 */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** A checked parameter: its wire text (or undefined when absent) → value; throws the problem naming it. */
export type ParamCheck = (text: string) => unknown;

/**
 * The check of one declared parameter.
 *
 * @example
 * ```ts
 * const limit = compileParam('limit', integerParam('query', 'Page size.', 1, 500));
 * limit('50'); // 50
 * ```
 */
export function compileParam(name: string, param: Param): ParamCheck {
  const validate = compileSchema(param.schema);
  const decode = param.decode;
  return (text) => {
    const value = decode ? decode(text) : text;
    if (value === REFUSED || !validate(value)) throw param.refuse(name, text);
    return value;
  };
}

/**
 * The rules every parameter has, before its own: a query parameter is given at most once, and no parameter holds
 * U+0000 or an unpaired surrogate (which no store column can hold). Undefined when the query parameter is absent.
 */
export function wireText(source: Exclude<ParamSource, 'body'>, name: string, raw: unknown): string | undefined {
  if (raw === undefined) {
    if (source === 'path') throw problems.badRequest(`missing path parameter "${name}".`);
    return undefined;
  }
  if (typeof raw !== 'string') throw badParam('query', name, 'must be given once, as a string.');
  return checkText(source, name, raw);
}

/**
 * The ajv schema of a field: `accepts` or `schema`, with its properties' schemas (recursively) and the required
 * properties the pipeline enforces: all but those checked elsewhere that do not say how to refuse their absence
 * (the core function that checks them reports it in its own words).
 */
const accepted = new WeakMap<Field, JsonSchema>();

function acceptedSchema(field: Field): JsonSchema {
  let schema = accepted.get(field);
  if (!schema) {
    schema = buildAccepted(field);
    accepted.set(field, schema);
  }
  return schema;
}

function buildAccepted(field: Field): JsonSchema {
  const own = field.accepts ?? field.schema;
  if (!field.properties) return own;
  const props = field.properties;
  const properties = Object.fromEntries(Object.entries(props).map(([k, f]) => [k, acceptedSchema(f)]));
  const required = (field.required ?? []).filter((k) => props[k]?.accepts === undefined || props[k]?.refuse !== undefined);
  return { ...own, properties, ...(required.length ? { required } : {}) };
}

/**
 * The documented schema of a field: `schema`, with its properties' documented schemas and every required property.
 *
 * @example
 * ```ts
 * documentedSchema(objectField({ reason: textField('Why.', 500) })); // { type: 'object', properties: { reason: {...} } }
 * ```
 */
export function documentedSchema(field: Field): JsonSchema {
  if (!field.properties) return field.schema;
  const properties = Object.fromEntries(Object.entries(field.properties).map(([k, f]) => [k, documentedSchema(f)]));
  return { ...field.schema, properties, ...(field.required?.length ? { required: [...field.required] } : {}) };
}

/** The field an ajv error is about, its dotted path and the value found there (undefined for a missing property). */
function locate(root: Field, rootPath: string, value: unknown, error: ErrorObject): { field: Field | undefined; path: string; found: unknown } {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
  let field: Field | undefined = root;
  let found: unknown = value;
  const names: string[] = rootPath ? [rootPath] : [];
  for (const s of segments) {
    const next: Field | undefined = field?.properties?.[s];
    if (!next) break;
    field = next;
    names.push(s);
    found = found !== null && typeof found === 'object' ? (found as Record<string, unknown>)[s] : undefined;
  }
  return { field, path: names.join('.'), found };
}

/** A checked field value: returns it, or throws the problem of its first refused part. */
export type FieldCheck = (value: unknown) => unknown;

/**
 * The check of a field (a whole body, or an object inside one such as `options`), named `rootPath` in problems.
 *
 * @example
 * ```ts
 * const readOptions = compileField(issueOptions, 'options');
 * readOptions({ format: 'jwt' });
 * ```
 */
export function compileField(field: Field, rootPath: string, fallback: (path: string) => HttpProblem = (path) => problems.badRequest(`${path || 'The request body'} was refused.`)): FieldCheck {
  const validate = compileSchema(acceptedSchema(field));
  return (value) => {
    if (validate(value)) return value;
    const error = (validate.errors as ErrorObject[])[0] as ErrorObject;
    const { field: at, path, found } = locate(field, rootPath, value, error);
    throw at?.refuse ? at.refuse(found, path) : fallback(path);
  };
}
