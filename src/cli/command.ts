/**
 * What every CLI command shares: the command shape, the two kinds of user error, reading input files and printing.
 *
 * Exit codes (README, CLI): 0 success (verify: valid), 1 not valid or an operation failed, 2 usage or input error.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes (tests capture it). */
export interface Out {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Standard error is a terminal (progress bars redraw one line there; plain lines otherwise). */
  isTTY?: boolean;
}

/** One command (or command group such as `keys`): its help text and what it does. */
export interface Command {
  name: string;
  /** Synopsis lines without the program name, e.g. `verify FILE|- [--json]`. */
  synopsis: string[];
  /** What it does, a few lines for `microcred help NAME`. */
  description: string;
  /** Runs it with the arguments after the command name; resolves with the exit code. */
  run(args: string[], out: Out): Promise<number>;
}

/** A usage problem (flags, arguments): exit code 2, with the synopsis of the command as a hint. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

/** An input problem (unreadable or malformed file): exit code 2, without a usage hint. */
export class InputError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--help`/`-h` anywhere before a `--`: the caller prints the command's help instead of running it. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** `parseArgs` (strict) whose flag errors are usage errors of `command`. */
export function parse<O extends Options>(
  command: Command,
  args: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O }>> {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (!code?.startsWith('ERR_PARSE_ARGS_')) throw e;
    // Node's text for an unknown option goes on about positionals starting with '-'; the flag is what matters.
    const unknown = /^Unknown option '([^']+)'/.exec((e as Error).message);
    throw new UsageError(unknown ? `unknown option "${unknown[1]}"` : (e as Error).message, command);
  }
}

/** Refuses positional arguments a command does not take. */
export function noPositionals(command: Command, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, command);
}

/** Reads a file's bytes, or standard input for `-`; unreadable files are input errors naming the reason. */
export async function readInputBytes(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new InputError(`cannot read ${file}: ${why}`);
  }
}

/** Reads a text file (UTF-8), or standard input for `-`. */
export async function readInput(file: string): Promise<string> {
  return (await readInputBytes(file)).toString('utf8');
}

/** Reads and parses a JSON file; `what` names it in the error ("record", "issuer profile"). */
export async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readInput(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** One line per problem (`  - message`). */
export function formatProblems(problems: unknown): string {
  if (!Array.isArray(problems)) return '';
  return problems
    .map((p: { path?: string; message?: string }) => `  - ${p.message ?? JSON.stringify(p)}`)
    .join('\n');
}

/** The `--json` result of a command: one JSON document on standard output. */
export function printJson(out: Out, value: unknown): void {
  out.stdout(JSON.stringify(value, null, 2) + '\n');
}

/** Checks a `--alg` value of key rotation. */
export function rotationAlg(command: Command, alg: string | undefined): 'Ed25519' | 'ES256' {
  const value = alg ?? 'Ed25519';
  if (value !== 'Ed25519' && value !== 'ES256') throw new UsageError(`--alg must be "Ed25519" or "ES256", got "${value}"`, command);
  return value;
}
