/** `microcred verify`: a credential (JSON or compact JWT) in, the verification report out. */
import { InputError, UsageError, parse, printJson, readInput, type Command } from './command.js';

export const verify: Command = {
  name: 'verify',
  synopsis: ['verify FILE|- [--json] [--allow-private-network] [--allow-http]'],
  description: `Verify a credential (JSON or compact JWT) from a file or standard input. The --allow-* flags let
status lists and DID documents come from a local test service (never use them in production).
Exit 0 when valid, 1 when not, 2 on usage or input errors (also when the input is not a credential).
--json prints {"verified": true|false, "checks": [{"id", "status", "message"}]}.`,
  async run(args, out) {
    const { values, positionals } = parse(verify, args, {
      json: { type: 'boolean', default: false },
      'allow-private-network': { type: 'boolean', default: false },
      'allow-http': { type: 'boolean', default: false },
    });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('verify needs exactly one FILE (or - for standard input)', verify);
    const text = (await readInput(file)).trim();
    if (text === '') throw new InputError(`${file} is empty`);
    const { verify: verifyCredential } = await import('../verify/verify.js');
    const { formatReport } = await import('../verify/format.js');
    const report = await verifyCredential(text, { allowPrivateNetwork: values['allow-private-network'], allowHttp: values['allow-http'] });
    if (values.json) {
      const checks = report.checks.map((c) => ({ id: c.id, status: c.status, message: c.message }));
      printJson(out, { verified: report.verified, checks });
    } else {
      out.stdout(formatReport(report) + '\n');
    }
    // Input that is not a credential at all is an input error, not an invalid credential.
    if (report.checks.some((c) => c.id === 'parse' && c.status === 'fail')) return 2;
    return report.verified ? 0 : 1;
  },
};
