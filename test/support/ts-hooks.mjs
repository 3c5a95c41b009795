/**
 * Module hooks that let plain `node` run this project's TypeScript outside the build (benchmarks, service processes
 * started by tests): `.js` specifiers written in a `.ts` file resolve to the `.ts` file beside them when it exists
 * (the NodeNext convention the sources use), and `.ts` files are transpiled with the project's own TypeScript
 * (transpile only: `tsc -p test/tsconfig.json` type-checks them). Registered by ts-register.mjs.
 */
import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const relative = (s) => s.startsWith('.') || s.startsWith('/') || s.startsWith('file:');

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && relative(specifier) && context.parentURL?.endsWith('.ts')) {
    const tsUrl = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    try {
      await access(fileURLToPath(tsUrl));
      return { url: tsUrl.href, shortCircuit: true };
    } catch {
      // no .ts beside it: a built or plain JavaScript module
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const out = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
