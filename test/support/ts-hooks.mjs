/**
 * Module hooks that let plain `node` run this project's TypeScript outside the build (benchmarks, service processes
 * started by tests): `.js` specifiers written in a `.ts`/`.tsx` file resolve to the `.ts` or `.tsx` file beside them
 * when one exists (the NodeNext convention the sources use), and those files are transpiled with the project's own
 * TypeScript and JSX settings (transpile only: `tsc -p test/tsconfig.json` type-checks them). Registered by
 * ts-register.mjs.
 */
import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

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

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !isSource(url)) return next(url, context);
  const fileName = fileURLToPath(url);
  const out = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
      // As tsconfig.json: server-side JSX with Preact.
      jsx: ts.JsxEmit.ReactJSX,
      jsxImportSource: 'preact',
    },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
