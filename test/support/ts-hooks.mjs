/**
 * Module hooks that let plain `node` run this project's TypeScript outside the build (benchmarks, service processes
 * started by tests): `.js` specifiers written in a `.ts`/`.tsx` file resolve to the `.ts` or `.tsx` file beside them
 * when one exists (the NodeNext convention the sources use), and those files are transpiled with the project's own
 * TypeScript and JSX settings (transpile only: `tsc -p test/tsconfig.json` type-checks them). Registered by
 * ts-register.mjs.
 *
 * Transpiled output is cached on disk by the hash of the source, the options and the TypeScript version, because the
 * test suite starts dozens of such processes and each would otherwise transpile the same ~200 files again (seconds
 * of CPU each). TypeScript itself is loaded only on a cache miss. A changed file has another hash, so the cache is
 * never stale; it lives in the temporary folder (used only when the folder is this user's alone) and can be removed
 * at any time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const relative = (s) => s.startsWith('.') || s.startsWith('/') || s.startsWith('file:');
const isSource = (url) => url.endsWith('.ts') || url.endsWith('.tsx');

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && relative(specifier) && context.parentURL && isSource(context.parentURL)) {
    for (const ext of ['.ts', '.tsx']) {
      const url = new URL(specifier.replace(/\.js$/, ext), context.parentURL);
      try {
        await access(fileURLToPath(url));
        return { url: url.href, shortCircuit: true };
      } catch {
        // not this one; a built or plain JavaScript module when neither exists
      }
    }
  }
  return next(specifier, context);
}

/** As tsconfig.json, transpile only: ES modules, ES2022, server-side JSX with Preact. */
const OPTIONS = { module: 'ESNext', target: 'ES2022', esModuleInterop: true, sourceMap: false, jsx: 'ReactJSX', jsxImportSource: 'preact' };
const require = createRequire(import.meta.url);
const TS_VERSION = JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
const CACHE = path.join(tmpdir(), `microcred-ts-cache-${process.getuid?.() ?? 'user'}`);
/** The cache folder when it is this user's own and no one else's to write (else none: its files become code). */
const cacheDir = (() => {
  try {
    mkdirSync(CACHE, { recursive: true, mode: 0o700 });
    const st = statSync(CACHE);
    if (process.getuid && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return undefined;
    return CACHE;
  } catch {
    return undefined;
  }
})();
let ts;

async function transpile(source, fileName) {
  ts ??= (await import('typescript')).default;
  const { module, target, jsx, ...rest } = OPTIONS;
  const compilerOptions = { ...rest, module: ts.ModuleKind[module], target: ts.ScriptTarget[target], jsx: ts.JsxEmit[jsx] };
  return ts.transpileModule(source, { fileName, compilerOptions }).outputText;
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !isSource(url)) return next(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  // The extension is part of the key: it tells transpileModule whether the file holds JSX.
  const key = createHash('sha256').update(`${TS_VERSION}\0${JSON.stringify(OPTIONS)}\0${path.extname(fileName)}\0${source}`).digest('hex');
  const cached = cacheDir && path.join(cacheDir, `${key}.js`);
  let out;
  try {
    if (!cached) throw new Error('no cache');
    out = await readFile(cached, 'utf8');
  } catch {
    out = await transpile(source, fileName);
    try {
      if (cached) {
        // Written aside and renamed, so a process running beside this one never reads half a file.
        const tmp = `${cached}.${process.pid}.tmp`;
        writeFileSync(tmp, out);
        renameSync(tmp, cached);
      }
    } catch {
      // no cache this time (read-only temporary folder): the output is still right
    }
  }
  return { format: 'module', source: out, shortCircuit: true };
}
