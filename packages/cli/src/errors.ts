/**
 * CLI errors: each carries the process exit code to use.
 * @module
 */
import { E2vError } from '@e2v/native';

/** Exit codes of the `e2v` command. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The command ran and failed (bad input file, model error, ...). */
  failure: 1,
  /** The command line itself is wrong (unknown command or flag, bad value). */
  usage: 2,
} as const;

/** The command line is wrong; printed as one line, exit code 2. */
export class UsageError extends E2vError {
  /** Process exit code. */
  readonly exitCode = EXIT.usage;

  /** @param message what is wrong, naming the command or flag */
  constructor(message: string) {
    super('E2V_ERR_CLI_USAGE', message);
  }
}
Object.defineProperty(UsageError.prototype, 'name', { value: 'UsageError' });
