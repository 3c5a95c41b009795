import Ajv2019Module from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../lib/paths.js';

// ajv and ajv-formats are CommonJS with `exports.default`; under NodeNext the default import is the
// whole module object for the type checker, while at run time it may already be the class.
type Ajv2019Class = typeof Ajv2019Module.default;
const Ajv2019: Ajv2019Class =
  (Ajv2019Module as unknown as { default?: Ajv2019Class }).default ?? (Ajv2019Module as unknown as Ajv2019Class);
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

export type { ErrorObject, ValidateFunction };
export type AjvInstance = InstanceType<Ajv2019Class>;

/**
 * A 2019-09 Ajv with formats, reporting every error, with the data and schema of each error
 * (`verbose`) so messages can say what was found. The `expected` keyword is an annotation our input
 * schemas (completion record, issuer profile) use to phrase "what was expected" for people; those
 * schemas are never listed in a credential.
 */
export function createAjv(options: Options = {}): AjvInstance {
  const ajv = new Ajv2019({ allErrors: true, verbose: true, strict: false, ...options });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'expected', schemaType: 'string' });
  return ajv;
}

/**
 * A 2019-09 Ajv in full strict mode (unknown keywords, untyped keywords and undeclared `required` properties are
 * errors) with formats and no custom keywords: how we compile the schemas that credentials list and other verifiers
 * fetch, so a schema a strict validator would refuse fails here first.
 */
export function createStrictAjv(): AjvInstance {
  const ajv = new Ajv2019({ allErrors: true, verbose: true, strict: true });
  addFormats(ajv);
  return ajv;
}

/** The text of a JSON Schema shipped in `src/schemas/`, as the file has it. */
export function readSchemaText(file: string): string {
  return readFileSync(path.join(SCHEMAS_DIR, file), 'utf8');
}

/** Reads a JSON Schema shipped in `src/schemas/`. */
export function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(readSchemaText(file)) as Record<string, unknown>;
}

/**
 * Compiles a schema the first time the returned function is called, then reuses it, so importing
 * a module costs nothing and a process compiles each schema once.
 */
export function lazyValidator(compile: () => ValidateFunction): () => ValidateFunction {
  let fn: ValidateFunction | undefined;
  return () => (fn ??= compile());
}
