/** `microcred issue` and `microcred validate`: completion records in, a signed credential or the problems out. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLE_KEYS_DIR } from '../lib/paths.js';
import { InputError, UsageError, formatProblems, parse, printJson, readJson, type Command } from './command.js';

export const issue: Command = {
  name: 'issue',
  synopsis: ['issue RECORD.json [--format di|jwt] [--cryptosuite NAME] [--alg ES256|EdDSA] [--profile FILE] [--keys DIR] [--json]'],
  description: `Validate a completion record, map it to an OpenBadgeCredential and print it signed.
Defaults: --format di, the example profile and keys in keys.example/.
--cryptosuite (di): eddsa-rdfc-2022 (default), eddsa-jcs-2022 or ecdsa-rdfc-2019 (the default for a P-256 key set).
--json prints {"format", "id", "issuer", "credential"} (credential: the signed JSON, or the compact JWT).`,
  async run(args, out) {
    const { values, positionals } = parse(issue, args, {
      format: { type: 'string', default: 'di' },
      alg: { type: 'string' },
      cryptosuite: { type: 'string' },
      profile: { type: 'string' },
      keys: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    const [recordFile] = positionals;
    if (!recordFile || positionals.length > 1) throw new UsageError('issue needs exactly one RECORD.json', issue);
    const format = values.format;
    if (format !== 'di' && format !== 'jwt') throw new UsageError(`--format must be "di" or "jwt", got "${format}"`, issue);
    const alg = values.alg;
    if (alg !== undefined && alg !== 'ES256' && alg !== 'EdDSA') {
      throw new UsageError(`--alg must be "ES256" or "EdDSA", got "${alg}"`, issue);
    }
    const { CRYPTOSUITES, isCryptosuiteName } = await import('../keyset/cryptosuites.js');
    const suite = values.cryptosuite;
    if (suite !== undefined && !isCryptosuiteName(suite)) {
      throw new UsageError(`--cryptosuite must be one of ${CRYPTOSUITES.join(', ')}; got "${suite}"`, issue);
    }
    if (suite !== undefined && format !== 'di') throw new UsageError('--cryptosuite applies to --format di', issue);
    const keysDir = values.keys ?? EXAMPLE_KEYS_DIR;
    if (!existsSync(keysDir)) throw new InputError(`the key directory ${keysDir} does not exist (create one with: microcred keys generate --dir ${keysDir})`);
    const profileFile = values.profile ?? path.join(keysDir, 'profile.json');

    const { assertRecord } = await import('../record/validate.js');
    const { assertProfile } = await import('../record/profile.js');
    const { buildCredential } = await import('../credential/annex1.js');
    const { loadKeySet } = await import('../keyset/keyset.js');
    const { issueCredential } = await import('../issue.js');

    const record = assertRecord(await readJson(recordFile, 'record'));
    const profile = assertProfile(await readJson(profileFile, 'issuer profile'));
    const keys = await loadKeySet(keysDir);
    const credential = buildCredential(profile, record, { issuerId: keys.controller });
    // A key set with no Ed25519 key (a P-256 did:key) signs with the suite its key can make.
    const cryptosuite = suite ?? (keys.keys.some((k) => k.active && k.alg === 'Ed25519') ? undefined : 'ecdsa-rdfc-2019');
    const signed = await issueCredential(credential, {
      format,
      keys,
      ...(alg ? { alg } : {}),
      ...(format === 'di' && cryptosuite ? { cryptosuite } : {}),
    });
    if (values.json) printJson(out, { format, id: credential.id, issuer: keys.controller, credential: signed });
    else out.stdout(typeof signed === 'string' ? signed + '\n' : JSON.stringify(signed, null, 2) + '\n');
    return 0;
  },
};

export const validate: Command = {
  name: 'validate',
  synopsis: ['validate RECORD.json [--json]'],
  description: `Only check a completion record; prints every problem at once (exit 2 when there is one).
--json prints {"valid": true, "recordId"} or {"valid": false, "problems": [{"path", "expected", "found", "message"}]}.`,
  async run(args, out) {
    const { values, positionals } = parse(validate, args, { json: { type: 'boolean', default: false } });
    const [recordFile] = positionals;
    if (!recordFile || positionals.length > 1) throw new UsageError('validate needs exactly one RECORD.json', validate);
    const { validateRecord } = await import('../record/validate.js');
    const result = validateRecord(await readJson(recordFile, 'record'));
    if (values.json) {
      printJson(out, result.ok ? { valid: true, recordId: result.record.recordId } : { valid: false, problems: result.problems });
      return result.ok ? 0 : 2;
    }
    if (result.ok) {
      out.stdout(`${recordFile}: valid completion record (recordId ${result.record.recordId})\n`);
      return 0;
    }
    out.stderr(`${recordFile}: ${result.problems.length} problem(s):\n${formatProblems(result.problems)}\n`);
    return 2;
  },
};
