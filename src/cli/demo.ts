/** `microcred demo`: the quick start — issue the example record in both formats and verify each result. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLES_DIR } from '../lib/paths.js';
import { noPositionals, parse, type Command } from './command.js';
import { issue } from './issue.js';
import { verify } from './verify.js';

export const demo: Command = {
  name: 'demo',
  synopsis: ['demo'],
  description: `Issue the example record (examples/record.json in the package) with the example keys in both formats
and verify each result: the quick start.`,
  async run(args, out) {
    const { positionals } = parse(demo, args, {});
    noPositionals(demo, positionals);
    const record = path.join(EXAMPLES_DIR, 'record.json');
    let worst = 0;
    for (const format of ['di', 'jwt'] as const) {
      let issued = '';
      const code = await issue.run([record, '--format', format], { stdout: (s) => { issued += s; }, stderr: out.stderr });
      if (code !== 0) return code;
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'microcred-demo-')), format === 'di' ? 'credential.json' : 'credential.jwt');
      await writeFile(file, issued);
      out.stdout(`\n== ${format === 'di' ? 'Data Integrity (eddsa-rdfc-2022)' : 'VC-JWT'} credential issued from ${path.relative(process.cwd(), record)}: ${file}\n`);
      if (format === 'di') {
        const cred = JSON.parse(issued) as { id: string; name?: string; issuer: { id: string } };
        out.stdout(`   id ${cred.id}\n   "${cred.name ?? ''}" issued by ${cred.issuer.id}\n`);
      }
      out.stdout(`== microcred verify ${file}\n`);
      worst = Math.max(worst, await verify.run([file], out));
    }
    return worst;
  },
};
