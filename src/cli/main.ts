/**
 * The `microcred` command line: a thin adapter over the library and the service (no logic of its own beyond
 * reading files, parsing flags and choosing exit codes). One module per command group; this one dispatches,
 * prints help and the version, and turns errors into messages and exit codes.
 *
 * Exit codes: 0 success (or "valid" for verify), 1 verification says not valid or an operation failed,
 * 2 usage or input errors (bad flags, unreadable file, invalid record).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MicrocredError } from '../errors.js';
import { PACKAGE_ROOT } from '../lib/paths.js';
import { InputError, UsageError, formatProblems, wantsHelp, type Command, type Out } from './command.js';
import { courses } from './courses.js';
import { demo } from './demo.js';
import { issue, validate } from './issue.js';
import { jobs } from './jobs.js';
import { keys } from './keys.js';
import { apikeys, issuers, serve } from './service.js';
import { stack } from './stack.js';
import { verify } from './verify.js';

/** Every command, in the order `microcred help` lists them. */
export const COMMANDS: readonly Command[] = [issue, validate, verify, stack, keys, serve, issuers, apikeys, courses, jobs, demo];

const PROGRAM = 'microcred';

/** The package version (package.json ships with the package). */
export function version(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function synopsis(command: Command): string {
  return command.synopsis.map((s) => `  ${PROGRAM} ${s}`).join('\n');
}

/** The whole usage text (`microcred help`). */
export function usage(): string {
  const blocks = COMMANDS.map((c) => `${synopsis(c)}\n${c.description.replace(/^/gm, '      ')}`);
  return `${PROGRAM} — issue and verify Open Badges 3.0 micro-credentials

Usage:
${blocks.join('\n')}
  ${PROGRAM} help [COMMAND]         this text, or one command's (also: ${PROGRAM} COMMAND --help)
  ${PROGRAM} --version

Exit codes: 0 success (verify: valid), 1 not valid or failed, 2 usage or input error.
`;
}

/** One command's help (`microcred help NAME`, `microcred NAME --help`). */
export function commandHelp(command: Command): string {
  return `Usage:\n${synopsis(command)}\n\n${command.description}\n`;
}

function find(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"`);
  return command;
}

/** The short hint after a usage error: the command's synopsis, or where to find the list of commands. */
function hint(command: Command | undefined): string {
  if (!command) return `Run "${PROGRAM} help" for the list of commands.\n`;
  return `Usage:\n${synopsis(command)}\nRun "${PROGRAM} help ${command.name}" for more.\n`;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await main(['verify', 'credential.json', '--json']);
 * ```
 */
export async function main(argv: string[], out: Out = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: process.stderr.isTTY === true,
}): Promise<number> {
  const [name, ...args] = argv;
  try {
    switch (name) {
      case undefined:
        out.stdout(usage());
        return 2;
      case 'help':
      case '--help':
      case '-h': {
        if (args.length > 1) throw new UsageError('help takes at most one COMMAND');
        out.stdout(args[0] === undefined ? usage() : commandHelp(find(args[0])));
        return 0;
      }
      case '--version':
      case '-v':
        out.stdout(`${PROGRAM} ${version()}\n`);
        return 0;
      default: {
        const command = find(name);
        if (wantsHelp(args)) {
          out.stdout(commandHelp(command));
          return 0;
        }
        return await command.run(args, out);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      out.stderr(`${PROGRAM}: ${e.message}\n${hint(e.command)}`);
      return 2;
    }
    if (e instanceof InputError) {
      out.stderr(`${PROGRAM}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof MicrocredError) {
      const input = e.code === 'RECORD_INVALID' || e.code === 'PROFILE_INVALID' || e.code === 'CREDENTIAL_INVALID'
        || e.code === 'KEYSET_INVALID' || e.code === 'KEY_NOT_FOUND' || e.code === 'UNSUPPORTED';
      // Some messages already list every problem; print the details only when they add something.
      const first = Array.isArray(e.details) ? (e.details[0] as { message?: string } | undefined)?.message : undefined;
      const extra = first && !e.message.includes(first) ? `${formatProblems(e.details)}\n` : '';
      out.stderr(`${PROGRAM}: ${e.message}\n${extra}`);
      return input ? 2 : 1;
    }
    out.stderr(`${PROGRAM}: ${(e as Error).message}\n`);
    return 1;
  }
}
