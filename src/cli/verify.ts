/**
 * `microcred verify`: a credential in (a JSON or compact JWT file, standard input, a baked PNG or SVG badge, or an
 * https URL of any of these), the verification report out, with known issuers from the configured trust lists.
 */
import path from 'node:path';
import { MicrocredError } from '../errors.js';
import type { VerificationReport } from '../verify/types.js';
import { InputError, UsageError, parse, printJson, readInputBytes, type Command } from './command.js';

const ACCEPT = 'application/vc+ld+json, application/vc+jwt, application/ld+json;q=0.9, application/json;q=0.9, image/png;q=0.8, image/svg+xml;q=0.8, */*;q=0.1';

/** Where the input came from, for the report. */
interface Source {
  kind: 'file' | 'stdin' | 'url';
  name: string;
  /** Set when the credential was read out of a baked badge image. */
  image?: 'png' | 'svg';
}

interface Flags {
  allowHttp: boolean;
  allowPrivateNetwork: boolean;
}


/** The bytes at a URL, through the guarded fetch: https only (plain http with --allow-http), public addresses only. */
async function fetchBytes(url: string, flags: Flags): Promise<Uint8Array> {
  if (url.startsWith('http://') && !flags.allowHttp) {
    throw new InputError(`${url}: verify fetches https URLs only (--allow-http is for a local test service, never for real credentials).`);
  }
  const { createGuardedFetch } = await import('../lib/guarded-fetch.js');
  try {
    return (await createGuardedFetch(flags)(url, { accept: ACCEPT })).body;
  } catch (e) {
    if (e instanceof MicrocredError) throw new InputError(`cannot fetch ${url}: ${e.message}`);
    throw e;
  }
}

/** The credential the input carries: the text itself, or what a baked PNG/SVG badge carries. */
async function credentialOf(bytes: Uint8Array, source: Source): Promise<string | Record<string, unknown>> {
  const { imageKind } = await import('../baking/bake.js');
  const image = imageKind(bytes);
  if (image === undefined) return new TextDecoder().decode(bytes).trim();
  const { unbake } = await import('../baking/unbake.js');
  try {
    source.image = image;
    return unbake(bytes).credential;
  } catch (e) {
    if (e instanceof MicrocredError) throw new InputError(`${source.name}: ${e.message}`);
    throw e;
  }
}

/** The trust lists: MICROCRED_TRUST_LISTS first, then each --trust (a file path, or an https URL). */
export async function trustRegistry(trust: string[], flags: Flags) {
  const { trustListsFromEnv } = await import('../trust/config.js');
  const { createTrustRegistry } = await import('../trust/registry.js');
  const { createGuardedFetch } = await import('../lib/guarded-fetch.js');
  try {
    const lists = [
      ...trustListsFromEnv(process.env),
      ...trust.map((t) => (/^https?:\/\//i.test(t) ? { url: t } : { file: path.resolve(t) })),
    ];
    return lists.length === 0 ? undefined : createTrustRegistry({ lists, fetch: createGuardedFetch(flags) });
  } catch (e) {
    if (e instanceof MicrocredError) throw new InputError(e.message);
    throw e;
  }
}

/** The `--json` document: the verdict, the format, who signed (as proven), where it came from, and every check. */
function jsonReport(report: VerificationReport, source: Source): Record<string, unknown> {
  const checks = report.checks.map((c) => ({
    id: c.id,
    status: c.status,
    message: c.message,
    ...(c.code ? { code: c.code } : {}),
    ...(c.profile ? { profile: c.profile } : {}),
    ...(c.details ? { details: c.details.map((d) => ({ path: d.path, status: d.status, message: d.message, ...(d.code ? { code: d.code } : {}), ...(d.rule ? { rule: d.rule } : {}) })) } : {}),
  }));
  return {
    verified: report.verified,
    ...(report.format ? { format: report.format } : {}),
    ...(report.signer ? { signer: report.signer } : {}),
    source,
    checks,
  };
}

export const verify: Command = {
  name: 'verify',
  synopsis: ['verify FILE|-|URL [--json] [--trust FILE|URL]... [--allow-private-network] [--allow-http]'],
  description: `Verify a credential: a JSON or compact JWT file, - for standard input, a baked badge (PNG or SVG,
which it reads the credential out of), or an https URL of any of these (fetched through the guarded fetch).
Known issuers come from the trust lists in MICROCRED_TRUST_LISTS and from each --trust (a file or an https URL).
The --allow-* flags let the URL, status lists, trust lists and DID documents come from a local test service
(never use them in production).
Exit 0 when valid, 1 when not, 2 on usage or input errors (also when the input is not a credential).
--json prints {"verified", "format", "signer" (who signed, as proven), "source", "checks": [{"id", "status",
"message", "code"?, "details"?: [{"path", "status", "message", "code"?}]}]}.`,
  async run(args, out) {
    const { values, positionals } = parse(verify, args, {
      json: { type: 'boolean', default: false },
      trust: { type: 'string', multiple: true, default: [] },
      'allow-private-network': { type: 'boolean', default: false },
      'allow-http': { type: 'boolean', default: false },
    });
    const [input] = positionals;
    if (!input || positionals.length > 1) throw new UsageError('verify needs exactly one FILE, URL or - (standard input)', verify);
    const flags: Flags = { allowHttp: values['allow-http'], allowPrivateNetwork: values['allow-private-network'] };
    const isUrl = /^https?:\/\//i.test(input);
    const source: Source = { kind: isUrl ? 'url' : input === '-' ? 'stdin' : 'file', name: input === '-' ? 'standard input' : input };
    const bytes = isUrl ? await fetchBytes(input, flags) : await readInputBytes(input);
    const credential = await credentialOf(bytes, source);
    if (credential === '') throw new InputError(`${source.name} is empty`);
    const trust = await trustRegistry(values.trust, flags);
    const { verify: verifyCredential } = await import('../verify/verify.js');
    const { formatReport } = await import('../verify/format.js');
    const report = await verifyCredential(credential, { ...flags, ...(trust ? { trust } : {}) });
    if (values.json) {
      printJson(out, jsonReport(report, source));
    } else {
      if (source.image) out.stdout(`Read from the credential baked into the ${source.image.toUpperCase()} badge ${source.name}.\n`);
      out.stdout(formatReport(report) + '\n');
    }
    // Input that is not a credential at all is an input error, not an invalid credential.
    if (report.checks.some((c) => c.id === 'parse' && c.status === 'fail')) return 2;
    return report.verified ? 0 : 1;
  },
};
