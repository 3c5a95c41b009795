// The package as users get it: `npm pack`, installed from the tarball into an empty folder (dependencies from the
// npm registry, through the local npm cache), then `npx microcred --version`, `npx microcred demo`,
// `import { verify } from 'microcred'` and TypeScript against both entry points.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

// npm and npx pass their state to what they run as npm_* variables (`npm test` its project prefix, `npx -p node@24`
// its package list), which nested npm commands would read as settings. Keep only the user's own settings.
const USER_SETTINGS = /^npm_config_(cache|userconfig|globalconfig|registry|cafile|proxy|https_proxy|noproxy|strict_ssl)$/i;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || USER_SETTINGS.test(k)));

describe('the packed package, installed into an empty folder', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'microcred-pack-'));
  const app = path.join(work, 'app');
  let files: string[] = [];
  const npx = (...args: string[]) => run('npx', ['--no-install', ...args], { cwd: app, env, maxBuffer: 1 << 24 });

  beforeAll(async () => {
    expect(existsSync(path.join(ROOT, 'dist', 'cli.js')), 'build first (npm test does)').toBe(true);
    // --ignore-scripts: dist/ is already built; prepare would only build it again.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, env, maxBuffer: 1 << 24 });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    files = info!.files.map((f) => f.path);
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'install-check', private: true, type: 'module' }));
    // --prefer-offline: what npm ci already fetched comes from the cache; only missing metadata goes to the registry.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, info!.filename)], { cwd: app, env, maxBuffer: 1 << 24 });
  }, 240_000);

  it('ships what users run and nothing else', () => {
    for (const f of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/service/index.js', 'dist/cli.js',
      'examples/record.json', 'keys.example/keyset.json', 'contexts/w3c-credentials-v2.jsonld', 'src/schemas/completion-record.schema.json',
      'src/store/migrations/001_init.sql']) {
      expect(files, f).toContain(f);
    }
    const unwanted = files.filter((f) =>
      f.startsWith('test/') || f.startsWith('.ci/') || f.endsWith('.map') || /^dist\/(bench|service\/(testing|child|bench))/.test(f) ||
      (f.startsWith('src/') && f.endsWith('.ts')) || f.startsWith('tsconfig'));
    expect(unwanted).toEqual([]);
  });

  it('npx microcred --version prints the package version', async () => {
    const { stdout } = await npx('microcred', '--version');
    expect(stdout).toBe(`microcred ${pkg.version}\n`);
  });

  it('npx microcred demo issues the shipped example record in both formats and both verify', { timeout: 60_000 }, async () => {
    const { stdout } = await npx('microcred', 'demo');
    expect(stdout).toContain(path.join('node_modules', 'microcred', 'examples', 'record.json'));
    expect(stdout.match(/^VALID: /gm)).toHaveLength(2);
  });

  it("import { verify } from 'microcred' verifies what the installed CLI issued", { timeout: 60_000 }, async () => {
    const issued = await npx('microcred', 'issue', path.join('node_modules', 'microcred', 'examples', 'record.json'), '--format', 'jwt');
    writeFileSync(path.join(app, 'credential.jwt'), issued.stdout);
    writeFileSync(path.join(app, 'check.mjs'), [
      "import { readFileSync } from 'node:fs';",
      "import { verify } from 'microcred';",
      "import { createApp } from 'microcred/service';",
      "const report = await verify(readFileSync('credential.jwt', 'utf8').trim());",
      'console.log(JSON.stringify({ verified: report.verified, service: typeof createApp }));',
    ].join('\n'));
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: app, env });
    expect(JSON.parse(stdout)).toEqual({ verified: true, service: 'function' });
  });

  it('TypeScript users get the types of both entry points (through package.json exports)', { timeout: 60_000 }, async () => {
    writeFileSync(path.join(app, 'check.ts'), [
      "import http from 'node:http';",
      "import { verify, type VerificationReport } from 'microcred';",
      "import { createApp, type ServiceApp } from 'microcred/service';",
      "export async function check(): Promise<boolean> {",
      "  const report: VerificationReport = await verify('eyJ.e30.x');",
      "  const svc: ServiceApp = await createApp({ dataDir: 'memory' });",
      '  http.createServer(svc.app).close();',
      '  await svc.close();',
      '  return report.verified;',
      '}',
    ].join('\n'));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), 'check.ts'], { cwd: app })
      .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? String(e) }));
    expect(result.stdout).toBe('');
  });
});
