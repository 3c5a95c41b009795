/**
 * `microcred stack check`: does a learner's set of credentials (files: JSON, compact JWT, baked PNG/SVG badges, a
 * presentation) meet a parent course's rules (a rules file, or a parent course stored on a microcred server)? Prints
 * the report's plain sentences, or the report as JSON.
 */
import { MicrocredError } from '../errors.js';
import { InputError, UsageError, formatProblems, parse, printJson, readInputBytes, readJson, type Command } from './command.js';
import { trustRegistry } from './verify.js';

interface Flags {
  allowHttp: boolean;
  allowPrivateNetwork: boolean;
}


/** The items a file holds: a credential (object, JWT, or baked in an image), a JSON list of them, or a presentation. */
async function itemsOf(file: string): Promise<{ credentials: unknown[]; presentation?: Record<string, unknown> }> {
  const bytes = await readInputBytes(file);
  const { imageKind } = await import('../baking/bake.js');
  if (imageKind(bytes) !== undefined) {
    const { unbake } = await import('../baking/unbake.js');
    try {
      return { credentials: [unbake(bytes).credential] };
    } catch (e) {
      if (e instanceof MicrocredError) throw new InputError(`${file}: ${e.message}`);
      throw e;
    }
  }
  const text = new TextDecoder().decode(bytes).trim();
  if (text === '') throw new InputError(`${file} is empty`);
  const { isCompactJws } = await import('../lib/jws.js');
  if (isCompactJws(text)) return { credentials: [text] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file} is neither JSON, nor a compact JWT, nor a baked PNG/SVG badge: ${(e as Error).message}`);
  }
  if (Array.isArray(parsed)) return { credentials: parsed };
  if (!parsed || typeof parsed !== 'object') throw new InputError(`${file} holds JSON that is not a credential (an object)`);
  const types = [(parsed as { type?: unknown }).type].flat();
  if (types.includes('VerifiablePresentation')) return { credentials: [], presentation: parsed as Record<string, unknown> };
  return { credentials: [parsed] };
}

/** The rules of a parent course stored on a microcred server (GET /issuers/{slug}/parent-courses/{code}). */
async function serverRules(server: string, issuer: string, code: string, flags: Flags): Promise<unknown> {
  if (server.startsWith('http://') && !flags.allowHttp) throw new InputError(`${server}: the server must be https (--allow-http is for a local test service).`);
  const { createGuardedFetch } = await import('../lib/guarded-fetch.js');
  const url = `${server.replace(/\/+$/, '')}/issuers/${encodeURIComponent(issuer)}/parent-courses/${encodeURIComponent(code)}`;
  try {
    const doc = await createGuardedFetch(flags)(url, { accept: 'application/json' });
    return (JSON.parse(new TextDecoder().decode(doc.body)) as { rules?: unknown }).rules;
  } catch (e) {
    if (e instanceof MicrocredError) throw new InputError(`cannot get the parent course ${issuer}/${code} from ${server}: ${e.message}`);
    if (e instanceof SyntaxError) throw new InputError(`${url} did not answer JSON`);
    throw e;
  }
}

export const stack: Command = {
  name: 'stack',
  synopsis: ['stack check (--rules FILE | --parent-course CODE --issuer SLUG --server URL) [--learner-name NAME] [--trust FILE|URL]... [--json] [--allow-private-network] [--allow-http] CREDENTIAL...'],
  description: `Check whether a learner's credentials count towards a parent course. Each CREDENTIAL is a file: JSON (a
credential, a list of credentials, or the learner's verifiable presentation), a compact JWT, or a baked PNG/SVG
badge. The rules come from --rules (a JSON file, src/schemas/stacking-rules.schema.json) or from a parent course
stored on a microcred server (--parent-course, --issuer, --server). Each credential is verified (issuers' DID
documents and status lists are fetched through the guarded fetch; --allow-* let them come from a local test
service). Trust lists (MICROCRED_TRUST_LISTS and each --trust, as for verify) answer the rules' "trustList"
provider selectors by the list's name. Prints the report in plain sentences, verdict first; --json prints the report.
Exit 0 when the rules are met, 1 when not, 2 on usage or input errors (unreadable files, invalid rules).`,
  async run(args, out) {
    const [sub, ...rest] = args;
    if (sub !== 'check') throw new UsageError(sub === undefined ? 'stack needs a subcommand: check' : `unknown stack subcommand "${sub}"`, stack);
    const { values, positionals } = parse(stack, rest, {
      rules: { type: 'string' },
      'parent-course': { type: 'string' },
      issuer: { type: 'string' },
      server: { type: 'string' },
      'learner-name': { type: 'string' },
      trust: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      'allow-private-network': { type: 'boolean', default: false },
      'allow-http': { type: 'boolean', default: false },
    });
    if (positionals.length === 0) throw new UsageError('stack check needs at least one CREDENTIAL file', stack);
    const remote = [values['parent-course'], values.issuer, values.server];
    if ((values.rules === undefined) === remote.every((v) => v === undefined) || (values.rules === undefined && remote.some((v) => v === undefined))) {
      throw new UsageError('give either --rules FILE, or all of --parent-course CODE --issuer SLUG --server URL', stack);
    }
    const flags: Flags = { allowHttp: values['allow-http'], allowPrivateNetwork: values['allow-private-network'] };
    const rules = values.rules !== undefined ? await readJson(values.rules, 'rules') : await serverRules(values.server!, values.issuer!, values['parent-course']!, flags);
    const { validateStackingRules } = await import('../stacking/rules.js');
    const v = validateStackingRules(rules);
    if (!v.ok) throw new InputError(`the stacking rules have ${v.problems.length} problem${v.problems.length === 1 ? '' : 's'}:\n${formatProblems(v.problems)}`);
    const credentials: unknown[] = [];
    let presentation: Record<string, unknown> | undefined;
    for (const file of positionals) {
      const items = await itemsOf(file);
      credentials.push(...items.credentials);
      if (items.presentation) {
        if (presentation) throw new InputError(`${file}: only one presentation can be checked at a time`);
        presentation = items.presentation;
      }
    }
    const { checkStacking } = await import('../stacking/check.js');
    const { createGuardedFetch } = await import('../lib/guarded-fetch.js');
    const trust = await trustRegistry(values.trust, flags);
    // A "trustList" selector names a list; an issuer is on it when that list (by its name) lists the issuer.
    const isTrusted = trust ? async (issuerId: string, list: string) => (await trust.lookup(issuerId)).matches.some((m) => m.list === list) : undefined;
    const report = await checkStacking({ credentials, ...(presentation ? { presentation } : {}) }, v.rules, {
      fetch: createGuardedFetch(flags),
      ...(trust ? { verifyOptions: { trust } } : {}),
      ...(isTrusted ? { isTrusted } : {}),
      ...(values['learner-name'] ? { learner: { name: values['learner-name'] } } : {}),
    });
    if (values.json) printJson(out, { ...report, credentials: report.credentials.map(({ credential: _c, ...use }) => use) });
    else out.stdout(`${report.sentences.join('\n')}\n`);
    return report.met ? 0 : 1;
  },
};
