/**
 * Warnings of an analysis that succeeded with a loss: the result is there, something around it
 * is not (today: the outputs folder could not be written). REST sends them as `warnings`, the
 * processing log has a line for each.
 * @module
 */
import { isDiskFull } from '../storage/storage-health.js';

/** A typed warning (`E2V_WARN_<AREA>_<WHAT>`, catalogued in docs/errors.md). */
export interface AnalysisWarning {
  code: string;
  message: string;
}

/**
 * `E2V_WARN_OUTPUTS_NOT_SAVED`: the outputs folder of the analysis could not be written.
 * @param cause the engine's `E2V_ERR_OUTPUT_WRITE` error
 */
export function outputsNotSaved(cause: unknown): AnalysisWarning {
  const why = isDiskFull(cause) ? 'the outputs disk is full' : 'the outputs folder could not be written (see the server log)';
  return { code: 'E2V_WARN_OUTPUTS_NOT_SAVED', message: `The result was not saved: ${why}` };
}
