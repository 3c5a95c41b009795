// Module hooks for the library-entry test: appends every resolved ESM URL (with its importer) to the file named by
// MICROCRED_LOAD_LOG. CommonJS requires do not pass here; the test reads require.cache for those.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.MICROCRED_LOAD_LOG, `${result.url}\t${context.parentURL ?? ''}\n`);
  return result;
}
