/**
 * What a batch does with an error: a failed file gets a record with a catalogued code
 * (docs/errors.md), never a raw system code; a failed write into the outputs folder stops the
 * batch instead.
 * @module
 */
import { E2vError } from '@e2v/core';
import { FileError, OutputError, systemCode } from '../../errors.js';

/** The `error` of an errors.jsonl record. */
export interface Failure {
  /** A catalogued code, `E2V_ERR_<AREA>_<WHAT>`. */
  code: string;
  /** One line. */
  message: string;
  /** The system's code behind it (`EACCES`, `EISDIR`, ...), or the class of an unexpected error. */
  cause?: string;
}

/**
 * The record of a file that failed: e2v errors keep their code; a file system error (the input
 * could not be read) becomes `E2V_ERR_CLI_FILE`; anything else `E2V_ERR_CLI_UNEXPECTED`.
 * @param error what the file's analysis threw
 * @param file the input path
 */
export function toFailure(error: unknown, file: string): Failure {
  const typed = error instanceof E2vError ? error : systemCode(error) === undefined ? null : new FileError(file, error);
  if (typed === null) {
    const cause = (error as { code?: unknown }).code;
    return {
      code: 'E2V_ERR_CLI_UNEXPECTED',
      message: (error instanceof Error ? error.message : String(error)).split('\n')[0]!,
      cause: typeof cause === 'string' ? cause : error instanceof Error ? error.name : typeof error,
    };
  }
  const cause = systemCode(typed);
  return { code: typed.code, message: typed.message.split('\n')[0]!, ...(cause === undefined ? {} : { cause }) };
}

/**
 * True for an error that stops the batch instead of failing one file: the `--out` folder cannot
 * be written ({@link OutputError}), or the queue's Redis has been unreachable for too long
 * (`E2V_ERR_QUEUE_UNAVAILABLE`); the files without a record are done by `--resume`.
 */
export function stopsBatch(error: unknown): error is E2vError {
  return error instanceof OutputError || (error instanceof E2vError && error.code === 'E2V_ERR_QUEUE_UNAVAILABLE');
}

/**
 * The error that stops the batch when an analysis could not write what it writes under `--out`
 * (its outputs folder with `--save-outputs`, its embedding file with `--embedding`): the
 * engine's `E2V_ERR_OUTPUT_WRITE`, or a file system error (plugins rewrite result.json in that
 * folder); null for any other error (the file fails alone).
 * @param error what the analysis threw
 * @param outDir the `--out` folder
 */
export function outputsWriteError(error: unknown, outDir: string): OutputError | null {
  const engineWrite = error instanceof E2vError && error.code === 'E2V_ERR_OUTPUT_WRITE';
  const systemWrite = !(error instanceof E2vError) && systemCode(error) !== undefined;
  return engineWrite || systemWrite ? new OutputError(outDir, 'writing an outputs folder', error) : null;
}
