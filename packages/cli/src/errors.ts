/**
 * CLI errors: each carries a stable code (docs/errors.md) and the process exit code to use.
 * @module
 */
import { E2vError, type E2vErrorCode } from '@e2v/core';

/** Exit codes of the `e2v` command. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The command ran and failed (bad input file, model error, ...). */
  failure: 1,
  /** The command line itself is wrong (unknown command or flag, bad value). */
  usage: 2,
  /** The output folder cannot be written (disk full, quota, permission): EX_IOERR of sysexits.h. */
  output: 74,
  /** A service the command needs (the queue's Redis) stayed unreachable: EX_UNAVAILABLE of sysexits.h. */
  unavailable: 69,
} as const;

/** An error of the `e2v` command itself, with the exit code it ends the process with. */
export class CliError extends E2vError {
  /**
   * @param code stable code, `E2V_ERR_CLI_<WHAT>`
   * @param message one line, naming the file, folder or flag
   * @param exitCode process exit code
   * @param options standard error options (`cause`)
   */
  constructor(
    code: E2vErrorCode,
    message: string,
    /** Process exit code. */
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
Object.defineProperty(CliError.prototype, 'name', { value: 'CliError' });

/** The command line is wrong; printed as one line, exit code 2. */
export class UsageError extends CliError {
  /** @param message what is wrong, naming the command or flag */
  constructor(message: string) {
    super('E2V_ERR_CLI_USAGE', message, EXIT.usage);
  }
}
Object.defineProperty(UsageError.prototype, 'name', { value: 'UsageError' });

/** The system's code of an error (`EACCES`, `ENOSPC`, ...), looking through its causes. */
export function systemCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const { code, syscall } = e as NodeJS.ErrnoException;
    if (typeof code === 'string' && typeof syscall === 'string') return code;
  }
  return undefined;
}

/** `permission denied (EACCES)` out of `EACCES: permission denied, open '/x'`. */
function systemReason(cause: unknown): string {
  const code = systemCode(cause);
  const text = cause instanceof Error ? cause.message : String(cause);
  const reason = code === undefined ? text : (new RegExp(`${code}: ([^,]+)`).exec(text)?.[1] ?? text);
  return code === undefined ? reason : `${reason} (${code})`;
}

/** An input file or folder cannot be read (`E2V_ERR_CLI_FILE`, exit code 1). */
export class FileError extends CliError {
  /** The system's code (`EACCES`, `EISDIR`, ...), when the cause has one. */
  readonly systemCode: string | undefined;

  /**
   * @param path the file or folder
   * @param cause the file system's error
   */
  constructor(path: string, cause: unknown) {
    super('E2V_ERR_CLI_FILE', `cannot read ${path}: ${systemReason(cause)}`, EXIT.failure, { cause });
    this.systemCode = systemCode(cause);
  }
}
Object.defineProperty(FileError.prototype, 'name', { value: 'FileError' });

/** System codes of a full disk, quota or file size limit. */
const FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * The `--out` folder cannot be written: `E2V_ERR_CLI_OUTPUT_FULL` (no space, quota or file size
 * limit) or `E2V_ERR_CLI_OUTPUT_WRITE` (any other error). A batch stops on it; exit code 74.
 */
export class OutputError extends CliError {
  /**
   * @param dir the `--out` folder
   * @param action what failed, e.g. `writing results.jsonl`
   * @param cause the file system's (or the engine's) error
   */
  constructor(dir: string, action: string, cause: unknown) {
    const code = systemCode(cause);
    const full = code !== undefined && FULL_CODES.has(code);
    super(
      full ? 'E2V_ERR_CLI_OUTPUT_FULL' : 'E2V_ERR_CLI_OUTPUT_WRITE',
      full ? `the disk of ${dir} is full (${code} ${action})` : `${action} in ${dir} failed: ${systemReason(cause)}`,
      EXIT.output,
      { cause },
    );
  }
}
Object.defineProperty(OutputError.prototype, 'name', { value: 'OutputError' });

/**
 * The one stderr line of a failed command: `e2v: <CODE>: <message>` for a typed error,
 * `e2v: <message>` for a usage error or an untyped one.
 * @param error what failed
 * @param advice what to do next, appended after `; `
 */
export function failureLine(error: unknown, advice?: string): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const typed = error instanceof E2vError && !(error instanceof UsageError);
  return `e2v: ${typed ? `${error.code}: ` : ''}${message}${advice === undefined ? '' : `; ${advice}`}\n`;
}

/** The exit code of a failed command: the error's own, 2 for a bad command line, else 1. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? EXIT.usage : EXIT.failure;
}
