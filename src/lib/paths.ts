import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The package root, found from this file whether it runs as `src/lib/paths.ts` (vitest)
 * or as `dist/lib/paths.js` (built): both sit two levels below the root.
 */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folder of the bundled, pinned JSON-LD contexts. */
export const CONTEXTS_DIR = path.join(PACKAGE_ROOT, 'contexts');

/** Example issuer profile and keys (for the quick start and tests only). */
export const EXAMPLE_KEYS_DIR = path.join(PACKAGE_ROOT, 'keys.example');

/** Example completion records shipped with the package (`record.json` fills every element; `microcred demo` issues it). */
export const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');

/** JSON Schemas shipped with the source (official OB 3.0 schema and ours). */
export const SCHEMAS_DIR = path.join(PACKAGE_ROOT, 'src', 'schemas');
