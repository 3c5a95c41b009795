/**
 * The CLI run in this process (`main` from src/cli.ts) with its output captured: what the CLI tests call.
 */
import { main } from '../../src/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `microcred ARGV…` in process; `isTTY` makes it write as it would to a terminal (progress bars).
 *
 * @example
 * ```ts
 * const { code, stdout } = await runCli(['verify', 'credential.json', '--json']);
 * ```
 */
export async function runCli(argv: string[], options: { isTTY?: boolean } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    ...(options.isTTY !== undefined ? { isTTY: options.isTTY } : {}),
  });
  return { code, stdout, stderr };
}

/**
 * `runCli` with the arguments spread.
 *
 * @example
 * ```ts
 * expect((await cli('--version')).code).toBe(0);
 * ```
 */
export function cli(...argv: string[]): Promise<CliRun> {
  return runCli(argv);
}
