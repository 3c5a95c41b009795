// The package's entry points as a user meets them (the built package, imported by name in a fresh process):
// `microcred` loads no HTTP server, database driver or logger; each entry exports exactly its public surface, each
// function and class with an @example; the public types need no devDependency.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string } | string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const LIBRARY_EXPORTS = [
  'CRYPTOSUITES', 'DEFAULT_CRYPTOSUITE', 'FastDiPool', 'JWT_PROFILES', 'KeySet', 'MicrocredError', 'assertProfile',
  'assertRecord', 'bake', 'buildCredential', 'checkCredential', 'checkPresentation', 'checkRows', 'compileMapping',
  'createDidResolver', 'createDocumentLoader', 'createFastCryptosuite', 'createGuardedFetch', 'createTrustRegistry',
  'didWebDocument', 'didWebDocumentUrl', 'fastCryptosuite', 'formatReport', 'generateKeySet', 'identityHash',
  'issueCredential', 'jwks', 'loadKeySet', 'presentedCredentials', 'readCsvRows', 'readNdjsonRows', 'reportCsv',
  'reportNdjson', 'rotateKey', 'signDataIntegrity', 'signJwt', 'trustListsFromEnv', 'unbake', 'validateCourse',
  'validateProfile', 'validateRecord', 'verify', 'verifyPresentationProof',
];
const STACKING_EXPORTS = ['assertStackingRules', 'buildClrCredential', 'checkStacking', 'readCreditFacts', 'stackingSentence', 'validateStackingRules'];
const DISPLAY_EXPORTS = ['LANGS', 'badgePng', 'badgeSvg', 'certificatePdf', 'credentialRows', 'credentialView', 'label', 'labels', 'negotiateLang'];
const SERVICE_EXPORTS = [
  'cancelJob', 'createApiKey', 'createApp', 'createIssuer', 'getCourse', 'getJobStatus', 'issuerDid',
  'listCourseHistory', 'listCourses', 'listJobStatuses', 'migrate', 'openApiDocument', 'openDb', 'putCourse',
  'readJobResults', 'rotateIssuerKey', 'runJobsUntilIdle', 'serviceConfigFromEnv', 'startJobWorker', 'startServer',
  'submitJob',
];
/** What the library must not load: the HTTP server, the database drivers, the logger. */
const SERVER_SIDE = ['express', 'pg', '@electric-sql/pglite', 'pino'];

const packageOf = (file: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];

interface Loaded {
  exports: string[];
  /** Every package that was loaded (ESM resolutions and CommonJS requires). */
  packages: Set<string>;
  /** ESM resolutions: [url, importer]. */
  esm: [string, string][];
  /** CommonJS modules: [file, first requirer]. */
  cjs: [string, string | null][];
}

/** Imports `specifier` by package name from a fresh node process (package self-reference from the project root). */
async function loadFresh(specifier: string): Promise<Loaded> {
  const log = path.join(mkdtempSync(path.join(tmpdir(), 'microcred-load-')), 'resolved.tsv');
  const script = `
    import { createRequire } from 'node:module';
    const mod = await import(process.argv[1]);
    const cache = createRequire(import.meta.url).cache;
    process.stdout.write(JSON.stringify({
      exports: Object.keys(mod).sort(),
      cjs: Object.entries(cache).map(([file, m]) => [file, m.parent?.filename ?? null]),
    }));`;
  const { stdout } = await run(process.execPath, ['--import', './test/support/load-log-register.mjs', '--input-type=module', '-e', script, specifier], {
    cwd: ROOT,
    env: { ...process.env, MICROCRED_LOAD_LOG: log },
  });
  const out = JSON.parse(stdout) as { exports: string[]; cjs: [string, string | null][] };
  const esm = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]);
  const packages = new Set([...esm.map(([url]) => packageOf(url)), ...out.cjs.map(([file]) => packageOf(file))].filter((p): p is string => !!p));
  return { exports: out.exports, packages, esm, cjs: out.cjs };
}

describe('the built entry points, imported by name in a fresh process', () => {
  it("microcred (the library) loads no HTTP server, database driver or logger, and exports only what users call", async () => {
    const lib = await loadFresh('microcred');
    expect(lib.exports).toEqual(LIBRARY_EXPORTS);
    expect(lib.packages.has('jose')).toBe(true); // the check sees packages at all
    expect(SERVER_SIDE.filter((p) => lib.packages.has(p))).toEqual([]);
    // undici: the guarded fetch loads it only when it fetches. It still arrives with jsonld (the Data Integrity
    // stack), whose Node document loader requires @digitalbazaar/http-client, which requires undici.
    const ours = lib.esm.filter(([url, parent]) => packageOf(url) === 'undici' && parent.startsWith(`file://${DIST}`));
    expect(ours).toEqual([]);
    const undici = lib.cjs.filter(([file]) => /node_modules\/undici\/index\.js$/.test(file));
    for (const [, parent] of undici) expect(packageOf(parent ?? '')).toBe('@digitalbazaar/http-client');
  });

  it('microcred/service exports the app, server, configuration, administration and database functions', async () => {
    const service = await loadFresh('microcred/service');
    expect(service.exports).toEqual(SERVICE_EXPORTS);
    // The same check that clears the library sees the server side here.
    for (const p of ['express', 'pino']) expect(service.packages.has(p), p).toBe(true);
  });

  it('microcred/display exports the credential view, its labels, the badge image and the certificate, and no server', async () => {
    const display = await loadFresh('microcred/display');
    expect(display.exports).toEqual(DISPLAY_EXPORTS);
    expect(SERVER_SIDE.filter((p) => display.packages.has(p))).toEqual([]);
  });

  it('microcred/stacking exports the stacking check and the CLR transcript builder, and no server', async () => {
    const stacking = await loadFresh('microcred/stacking');
    expect(stacking.exports).toEqual(STACKING_EXPORTS);
    expect(SERVER_SIDE.filter((p) => stacking.packages.has(p))).toEqual([]);
  });

  it('package.json exports give types for every subpath, and nothing else is importable', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === './package.json') continue;
      expect(typeof target === 'object' && target.types.endsWith('.d.ts'), subpath).toBe(true);
    }
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './display', './package.json', './service', './stacking']);
  });
});

describe('the public types', () => {
  const entries = Object.entries(pkg.exports).flatMap(([subpath, t]) => (typeof t === 'object' ? [[subpath, path.join(ROOT, t.types)] as const] : []));
  // `types: []`: load only what the entries' declarations reference, not every @types package installed here.
  const program = ts.createProgram(entries.map(([, f]) => f), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
    noEmit: true,
  });
  const checker = program.getTypeChecker();

  it('every exported function, class and constant has an @example', () => {
    const missing: string[] = [];
    for (const [subpath, file] of entries) {
      const source = program.getSourceFile(file);
      expect(source, file).toBeDefined();
      const moduleSymbol = checker.getSymbolAtLocation(source!)!;
      for (const exported of checker.getExportsOfModule(moduleSymbol)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        if (!(symbol.flags & ts.SymbolFlags.Value)) continue;
        const documented = (symbol.declarations ?? []).some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'example'));
        if (!documented) missing.push(`${subpath} ${exported.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('need no devDependency: no express, pg or other dev-only package types (Node types aside)', () => {
    // package-lock.json marks packages only devDependencies need ("dev": true), transitive ones included.
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const used = new Set(program.getSourceFiles().map((f) => packageOf(f.fileName)).filter((p): p is string => !!p && p !== 'typescript'));
    expect(used.has('pino')).toBe(true); // the check sees the packages the service types use
    // @types/node (and its undici-types) is what every Node library's types rely on (http.Server, KeyObject).
    const devOnly = [...used].filter((p) => lock.packages[`node_modules/${p}`]?.dev && p !== '@types/node' && p !== 'undici-types');
    expect(devOnly).toEqual([]);
  });
});
